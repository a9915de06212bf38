"""The companion programme on a phone-sized screen: Anna registers for an event and joins a
full one's waiting list; the office checks people in from the attendance list (in place,
with htmx). axe-core audits every page on the way (tests/browser/conftest.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from companion import services
from companion.models import Event, EventRegistration
from pioneer.access import SYSTEM

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _assert_fits(visitor):
    width = visitor.page.evaluate("() => document.documentElement.scrollWidth")
    overflow = visitor.page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + el.className)"""
    )
    assert width <= PHONE["width"], f"{visitor.path} is {width}px wide: {overflow}"


def test_anna_registers_and_joins_a_waiting_list_on_a_phone(demo_world, visitor_factory):
    visitor = visitor_factory(viewport=PHONE)
    visitor.login("anna@mluk.example")
    visitor.goto("/home/")
    consultation = Event.objects.get(
        title="Kollegiale Fallberatung", cohort__programme__slug="pioneer4bb"
    )
    assert visitor.page.locator(f"main a[href='/events/{consultation.pk}/']").count()
    visitor.goto("/events/")
    _assert_fits(visitor)
    visitor.goto(f"/events/{consultation.pk}/")
    _assert_fits(visitor)
    visitor.submit(visitor.page.locator("main form[action$='/register/'] button"))
    assert visitor.page.locator(".kern-alert--success").is_visible()
    assert (
        EventRegistration.objects.get(
            event=consultation, participation__user__email="anna@mluk.example"
        ).state
        == "registered"
    )
    evening = Event.objects.get(
        title="Vernetzungsabend mit Alumni", cohort__programme__slug="pioneer4bb"
    )
    visitor.goto(f"/events/{evening.pk}/")
    visitor.submit(visitor.page.locator("main form[action$='/register/'] button"))
    assert visitor.page.locator(".kern-alert--info").is_visible()
    _assert_fits(visitor)
    mine = EventRegistration.objects.get(
        event=evening, participation__user__email="anna@mluk.example"
    )
    assert mine.state == "waiting"
    # She leaves the waiting list again.
    visitor.submit(visitor.page.locator("main form[action$='/unregister/'] button"))
    mine.refresh_from_db()
    assert mine.state == "cancelled"


def test_the_office_checks_people_in_on_a_phone(demo_world, visitor_factory):
    consultation = Event.objects.get(
        title="Kollegiale Fallberatung", cohort__programme__slug="pioneer4bb"
    )
    start = timezone.now() - timedelta(minutes=15)
    services.event_update(
        event=consultation,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        cancellation_deadline=None,
        by=SYSTEM,
    )
    visitor = visitor_factory(viewport=PHONE)
    visitor.login("office@mluk.example")
    visitor.goto(f"/cohorts/{consultation.cohort_id}/events/")
    visitor.goto(f"/cohorts/{consultation.cohort_id}/events/?view=month")
    visitor.goto(f"/events/{consultation.pk}/attendance/")
    _assert_fits(visitor)
    first = visitor.page.locator("main .pio-checkin__item").first
    row_id = first.get_attribute("id")
    first.locator("button[value='check_in']").click()
    # htmx swaps the row in place: no navigation, the row now says "checked in".
    visitor.page.locator(f"#{row_id} .kern-badge--success").wait_for()
    visitor.audit()
    registration = EventRegistration.objects.get(pk=int(row_id.split("-")[1]))
    assert registration.attendance == "attended"
    second = visitor.page.locator("main .pio-checkin__item").nth(1)
    second_id = second.get_attribute("id")
    second.locator("button[value='no_show']").click()
    visitor.page.locator(f"#{second_id} .kern-badge--danger").wait_for()
    visitor.audit()
    _assert_fits(visitor)
    visitor.goto(f"/events/{consultation.pk}/cancel/")


def test_the_workshop_links_its_blueprint_and_the_office_chooses_materials(
    demo_world, visitor_factory
):
    workshop = Event.objects.get(
        title="Design-Thinking-Workshop", cohort__programme__slug="pioneer4bb"
    )
    visitor = visitor_factory(viewport=PHONE)
    visitor.login("anna@mluk.example")
    visitor.goto(f"/events/{workshop.pk}/")  # axe audits the page with its materials
    link = visitor.page.locator(
        "#event-materials ~ ul a[href='/blueprints/design-thinking-workshop/']"
    )
    assert link.count() == 1
    _assert_fits(visitor)
    office = visitor_factory(viewport=PHONE)
    office.login("office@mluk.example")
    office.goto(f"/events/{workshop.pk}/edit/")  # the checkboxes of the library's blueprints
    box = office.page.locator("input[name='materials'][value='design-thinking-workshop']")
    assert box.is_checked()
    _assert_fits(office)
