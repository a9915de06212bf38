"""Adopt this programme in a browser, with axe on every page (the `Visitor`): the other
ministry's office (MIK) finds pioneer4BB's blueprints, opens the programme a blueprint
comes from, sends the form once with a mistake, checks what will be copied and creates
its own programme; in German and in English."""

import pytest

from blueprints.models import Adoption
from cohorts.models import Programme
from companion.models import Event

pytestmark = pytest.mark.browser

LANGUAGES = [("de", "Deutsch"), ("en", "English")]


@pytest.mark.parametrize(("code", "label"), LANGUAGES)
def test_the_other_ministry_adopts_pioneer4bb(demo_world, visitor, code, label):
    visitor.login("office@mik.example")
    if visitor.html_lang() != code:
        visitor.switch_language(label)
    assert visitor.html_lang() == code
    before = Adoption.objects.count()

    # From a blueprint page: "adopt the programme this comes from".
    visitor.goto("/blueprints/vorlage-hospitationsvereinbarung/")
    visitor.submit(visitor.page.locator("main a[href='/blueprints/adopt/pioneer4bb/']"))
    assert visitor.path == "/blueprints/adopt/pioneer4bb/"
    form = visitor.page.locator("main form[method='post']")
    # The settings are offered as pioneer4BB's.
    assert form.locator("input[name='default_cohort_months']").input_value() == "6"
    assert form.locator("input[name='default_phase_months']").input_value() == "3"

    # A phase longer than the cohort: explained at the field, nothing made.
    form.locator("input[name='name']").fill("Tandem im Innenressort")
    form.locator("input[name='default_phase_months']").fill("9")
    visitor.submit(form.locator("button[type='submit']"))
    assert visitor.page.locator("main [aria-invalid='true']").count() == 1
    assert Adoption.objects.count() == before

    form = visitor.page.locator("main form[method='post']")
    form.locator("input[name='default_phase_months']").fill("3")
    form.locator("input[name='start_date']").fill("2030-03-01")
    visitor.submit(form.locator("button[type='submit']"))
    # The check page says what will be copied; nothing is made yet.
    assert visitor.page.locator("main #copied-heading").count() == 1
    assert Adoption.objects.count() == before
    # Back to the form with the entries kept, and on to the check again.
    visitor.submit(visitor.page.locator("main form[method='post'] button[name='edit']"))
    form = visitor.page.locator("main form[method='post']")
    assert form.locator("input[name='name']").input_value() == "Tandem im Innenressort"
    visitor.submit(form.locator("button[type='submit']"))
    visitor.submit(
        visitor.page.locator("main form[method='post'] button[type='submit']:not([name])")
    )

    adoption = Adoption.objects.order_by("-pk").first()
    assert Adoption.objects.count() == before + 1
    assert visitor.path == f"/blueprints/adoptions/{adoption.pk}/"
    assert adoption.programme.name == "Tandem im Innenressort"
    assert adoption.organisation.short_name == "MIK"
    assert Event.objects.filter(cohort=adoption.cohort).exists()
    visitor.submit(visitor.page.locator(f"main a[href='/programmes/{adoption.programme.slug}/']"))
    assert visitor.path == f"/programmes/{adoption.programme.slug}/"
    assert Programme.objects.get(slug="pioneer4bb").organisation.short_name == "MLUK"
