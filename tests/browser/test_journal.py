"""A participant keeps her learning journal in a browser (axe runs on every visit): a form
sent empty shows its errors, an entry written by keyboard is shared with the partner, the
partner reads it, and the author deletes it for good; the office reads only what was
shared with it."""

import pytest

from tandems.models import JournalEntry, Tandem

pytestmark = pytest.mark.browser


def test_anna_writes_shares_and_deletes_an_entry(demo_world, visitor_factory):
    anna = visitor_factory()
    anna.login("anna@mluk.example")
    anna.goto("/tandem/journal/")
    anna.submit(anna.page.locator("main a[href$='/tandem/journal/new/']"))
    form = anna.page.locator("main form[method='post']")
    form.locator("textarea[name='text']").fill("")
    anna.submit(form.locator("button[type='submit']"))
    assert anna.page.locator(".pio-error-summary").is_visible()
    assert anna.page.locator("main [aria-invalid='true']").count() >= 1

    form = anna.page.locator("main form[method='post']")
    form.locator("textarea[name='text']").fill("Heute im Browser gelernt")
    # The visibility by keyboard: focus the private choice, arrow down to "partner".
    form.locator("input[name='visibility'][value='private']").focus()
    anna.page.keyboard.press("ArrowDown")
    assert form.locator("input[name='visibility'][value='partner']").is_checked()
    anna.submit(form.locator("button[type='submit']"))
    assert anna.path == "/tandem/journal/", anna.page.locator("main").inner_text()[:1500]
    entry = JournalEntry.objects.get(text="Heute im Browser gelernt")
    assert entry.visibility == "partner"

    ben = visitor_factory()
    ben.login("ben@partner.example")
    ben.goto("/tandem/journal/shared/")
    assert "Heute im Browser gelernt" in ben.page.locator("main").inner_text()

    office = visitor_factory()
    office.login("office@mluk.example")
    tandem = Tandem.objects.get(administration__user__email="anna@mluk.example")
    office.goto(f"/cohorts/{tandem.cohort_id}/tandems/{tandem.pk}/journal/")
    assert "Heute im Browser gelernt" not in office.page.locator("main").inner_text()

    anna.goto(f"/tandem/journal/{entry.pk}/delete/")
    anna.submit(anna.page.locator("main form button[type='submit']"))
    assert anna.path == "/tandem/journal/"
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()
