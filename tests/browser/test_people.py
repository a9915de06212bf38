"""The programme office's people pages pass axe, error states included, and work by keyboard."""

import pytest

from cohorts.models import Cohort, Participation

pytestmark = pytest.mark.browser


def test_people_pages_pass_axe_including_error_states(demo_world, visitor):
    cohort = Cohort.objects.get(slug="durchgang-2")
    anna = Participation.objects.get(cohort=cohort, user__email="anna@mluk.example")
    visitor.login("office@mluk.example")
    visitor.goto(f"/cohorts/{cohort.pk}/")
    visitor.submit(visitor.page.locator("main a[href$='/participants/']").first)
    visitor.submit(visitor.page.get_by_role("link", name="Anna Albrecht"))
    visitor.submit(visitor.page.locator("main a[href$='/edit/']"))
    # The external side does not fit a ministry: refused, with the reason, nothing saved.
    visitor.page.locator("main input[name='side'][value='external']").check()
    visitor.page.locator("main input[name='position']").fill("Geändert")
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    assert visitor.page.locator(".pio-error-summary").is_visible()
    anna.refresh_from_db()
    assert anna.position != "Geändert"
    visitor.goto(f"/cohorts/{cohort.pk}/participants/add/")
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    assert visitor.page.locator(".pio-error-summary").is_visible()
    visitor.goto(f"/cohorts/{cohort.pk}/participants/import/")
    visitor.submit(visitor.page.locator("main form button[type='submit']"))
    assert visitor.page.locator(".pio-error-summary").is_visible()
    visitor.goto(f"/cohorts/{cohort.pk}/copy/")
