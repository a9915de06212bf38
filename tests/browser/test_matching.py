"""The office forms tandems on the matching page (axe runs on every visit, German and
English), and a participant confirms the proposed tandem."""

import pytest

from cohorts.models import Cohort
from tandems.models import Tandem

pytestmark = pytest.mark.browser


def test_office_accepts_part_of_the_assignment_and_pairs_by_hand(demo_world, visitor_factory):
    cohort = Cohort.objects.get(slug="durchgang-3")
    office = visitor_factory()
    office.login("office@mluk.example")
    office.goto(f"/cohorts/{cohort.pk}/")
    office.submit(office.page.locator("nav.pio-tabs a[href$='/matching/']"))
    assert office.path == f"/cohorts/{cohort.pk}/matching/"
    assert "Ines Iversen" in office.page.locator("main").inner_text()

    # Nothing ticked: the error summary, nothing formed.
    form = office.page.locator("main form:has(input[name='pairs'])")
    for box in form.locator("input[name='pairs']").all():
        box.uncheck()
    office.submit(form.locator("button[type='submit']"))
    assert office.page.locator(".pio-error-summary").is_visible()
    before = Tandem.objects.filter(cohort=cohort).count()

    # Only the first pair of the assignment (by keyboard: space ticks the box).
    form = office.page.locator("main form:has(input[name='pairs'])")
    for box in form.locator("input[name='pairs']").all():
        box.uncheck()
    first = form.locator("input[name='pairs']").first
    first.focus()
    office.page.keyboard.press("Space")
    office.submit(form.locator("button[type='submit']"))
    assert office.path == f"/cohorts/{cohort.pk}/tandems/"
    assert Tandem.objects.filter(cohort=cohort).count() == before + 1
    assert Tandem.objects.filter(cohort=cohort, state="proposed").count() == 1

    # The rest by hand, in English this time.
    office.switch_language("English")
    office.goto(f"/cohorts/{cohort.pk}/matching/")
    pair = office.page.locator("main form[action$='/matching/pair/']")
    pair.locator("select[name='administration']").select_option(label="Frieda Förster (MLUK)")
    pair.locator("select[name='external']").select_option(label="Lea Lorenz (Gemeinwohl Lab)")
    office.submit(pair.locator("button[type='submit']"))
    assert Tandem.objects.filter(administration__user__email="frieda@mluk.example").exists()


def test_office_follows_a_tandem_on_the_board(demo_world, visitor_factory):
    cohort = Cohort.objects.get(slug="durchgang-2")
    tandem = Tandem.objects.get(administration__user__email="anna@mluk.example")
    office = visitor_factory()
    office.login("office@mluk.example")
    office.goto(f"/cohorts/{cohort.pk}/tandems/")
    office.submit(office.page.locator(f"main a[href$='/tandems/{tandem.pk}/']"))
    assert "Ben Brandt" in office.page.locator("main").inner_text()
    open_milestone = tandem.milestones.filter(done_at=None).order_by("due_date").first()
    form = office.page.locator(f"main form[action$='/milestones/{open_milestone.pk}/']")
    office.submit(form.locator("button[type='submit']"))
    open_milestone.refresh_from_db()
    assert open_milestone.done_at is not None
    office.goto(f"/cohorts/{cohort.pk}/tandems/{tandem.pk}/end/")
    office.goto(f"/cohorts/{cohort.pk}/tandems/{tandem.pk}/dates/")
