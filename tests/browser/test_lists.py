"""The office's lists in a browser: sorting by a heading, the filters' disclosure, "select
all on this page", a bulk action through its confirmation page, and the print views; axe
on every page, in German and in English."""

import os

import pytest

from cohorts.models import Cohort, InterestRegistration, Participation

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("PIONEER_SCREENSHOTS")


def _shot(visitor, name):
    if SCREENSHOTS:
        visitor.page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["English", "Deutsch"])
def test_the_participant_list_sorts_selects_and_confirms_a_state_change(
    demo_world, visitor, language
):
    cohort = Cohort.objects.get(slug="durchgang-2")
    visitor.login("office@mluk.example")
    visitor.switch_language(language)
    visitor.goto(f"/cohorts/{cohort.pk}/participants/?show=all")
    page = visitor.page
    # The filters wait closed in their disclosure; opening it shows the form.
    details = page.locator("details.pio-filters")
    assert details.get_attribute("open") is None
    details.locator("summary").click()
    assert details.locator("form").is_visible()
    _shot(visitor, f"participants-{language}")
    # A heading is a link that sorts; the sorted one says so.
    heading = page.locator("main th[aria-sort]")
    assert heading.get_attribute("aria-sort") == "ascending"
    page.locator("main thead a.pio-sort").first.focus()
    visitor.press("Enter")
    assert "sort=" in visitor.path
    assert page.locator("main thead th").nth(1).get_attribute("aria-sort") in {
        "ascending",
        "descending",
    }
    # "Select all on this page" ticks every row; unticking one leaves it half-ticked.
    select_all = page.locator("main [data-select-all]")
    assert select_all.is_visible()
    select_all.check()
    boxes = page.locator("main input[name='selected']")
    assert boxes.count() > 1
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    boxes.first.uncheck()
    assert page.evaluate("document.querySelector('[data-select-all]').indeterminate")
    # Move the selection to "Active": first the page that says what will happen.
    page.locator("main select[name='to_state']").select_option("active")
    before = dict(Participation.objects.filter(cohort=cohort).values_list("pk", "state"))
    visitor.submit(page.locator("main button[name='action'][value='state']"))
    assert page.locator("main form input[name='confirmed']").count() == 1
    _shot(visitor, f"bulk-confirm-{language}")
    assert dict(Participation.objects.filter(cohort=cohort).values_list("pk", "state")) == before
    visitor.submit(page.locator("main form button[type='submit']"))
    assert f"/cohorts/{cohort.pk}/participants/" in visitor.path
    assert page.locator(".kern-alert").count() >= 1
    # The print view: every person, no navigation.
    visitor.goto(f"/cohorts/{cohort.pk}/participants/print/?show=all")
    assert page.locator("nav").count() == 0
    assert (
        page.locator("main tbody tr").count() == Participation.objects.filter(cohort=cohort).count()
    )
    _shot(visitor, f"participants-print-{language}")


def test_the_review_queue_confirms_before_sending_links_again(demo_world, visitor):
    visitor.login("office@mluk.example")
    visitor.switch_language("English")
    visitor.goto("/registrations/")
    page = visitor.page
    _shot(visitor, "review-queue")
    assert page.locator("main nav a[aria-current='page']").inner_text().strip() == "Needs action"
    page.locator("main [data-select-all]").check()
    visitor.submit(page.locator("main button[name='action'][value='resend']"))
    assert "will be sent" in page.locator("main .kern-alert").inner_text()
    _shot(visitor, "review-queue-confirm")
    visitor.goto("/registrations/?show=all&state=bogus")
    assert "ignored" in page.locator(".kern-alert").first.inner_text()
    registration = InterestRegistration.objects.filter(state="confirmed").first()
    visitor.goto(f"/registrations/{registration.pk}/print/")
    assert page.locator("nav").count() == 0
    _shot(visitor, "registration-print")
