"""The companion pages: who gets what (tests/access.py) and what each page does."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from companion import services
from companion.models import Event, EventRegistration
from pioneer.access import SYSTEM
from pioneer.models import Job
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import EventFactory, SeriesFactory, participant_in, register
from tests.factories.core import evaluator_user, office_user, partner_of, partner_user

pytestmark = pytest.mark.django_db
Reg = EventRegistration


@pytest.fixture
def world():
    programme = ProgrammeFactory()
    cohort = CohortFactory(programme=programme)
    office = office_user(programme.organisation)
    series = SeriesFactory(cohort=cohort)
    event = EventFactory(
        cohort=cohort,
        series=series,
        capacity=2,
        format=Event.Format.HYBRID,
        online_link="https://meet.example/pioneer-geheim",
    )
    anna = participant_in(cohort, name="Anna Schmidt")
    company = partner_of(programme.organisation)
    expert = participant_in(cohort, name="Eva Extern")
    expert.organisation = company
    expert.save()
    contact = partner_user(company)
    registration = register(event, expert)
    other = CohortFactory()
    return {
        "cohort": cohort,
        "office": office,
        "stranger": office_user(),
        "event": event,
        "series": series,
        "anna": anna,
        "expert": expert,
        "registration": registration,
        "contact": contact,
        "foreign_partner": partner_user(),
        "stranger_participant": participant_in(other).user,
        "evaluator": evaluator_user(),
    }


def _url(name, world, **kwargs):
    return reverse(f"companion:{name}", kwargs=kwargs)


OFFICE_PAGES = [
    ("planner", "cohort"),
    ("event_create", "cohort"),
    ("series_create", "cohort"),
    ("attendance_csv", "cohort"),
    ("event_update", "event"),
    ("event_cancel", "event"),
    ("attendance", "event"),
]


@pytest.mark.parametrize(("name", "obj"), OFFICE_PAGES)
def test_office_pages_access(world, name, obj):
    key = "cohort_pk" if obj == "cohort" else "pk"
    assert_access(
        reverse(f"companion:{name}", kwargs={key: world[obj].pk}),
        owner=world["office"],
        stranger=world["stranger"],
        foreign_partner=world["foreign_partner"],
        foreign_partner_status=403,
        wrong_role=world["anna"].user,
    )


def test_office_posts_access(world):
    event, registration = world["event"], world["registration"]
    common = {
        "owner": world["office"],
        "stranger": world["stranger"],
        "foreign_partner": world["foreign_partner"],
        "foreign_partner_status": 403,
        "wrong_role": world["anna"].user,
        "method": "post",
        "owner_status": 302,
    }
    assert_access(
        reverse("companion:attendance_xlsx", kwargs={"cohort_pk": world["cohort"].pk}), **common
    )
    assert_access(
        reverse("companion:attendance_add", kwargs={"pk": event.pk}),
        data={"participation": world["anna"].pk},
        **common,
    )
    assert_access(
        reverse(
            "companion:attendance_mark", kwargs={"pk": event.pk, "registration_pk": registration.pk}
        ),
        data={"action": "check_in"},
        **common,
    )
    assert_access(
        reverse(
            "companion:attendance_remove",
            kwargs={"pk": event.pk, "registration_pk": registration.pk},
        ),
        **common,
    )


@pytest.mark.parametrize("name", ["event_detail", "event_ics"])
def test_event_pages_access(world, name):
    url = reverse(f"companion:{name}", kwargs={"pk": world["event"].pk})
    assert_access(
        url,
        owner=world["anna"].user,
        stranger=world["stranger_participant"],
        foreign_partner=world["foreign_partner"],
        foreign_partner_status=403,
        wrong_role=world["evaluator"],
    )
    assert_access(url, owner=world["office"], stranger=world["stranger"])
    # Partner contacts see their people's registrations as a list, not the event pages
    # (another organisation's people may be registered for the same event).
    assert_access(url, owner=world["office"], wrong_role=world["contact"])


@pytest.mark.parametrize("name", ["event_register", "event_unregister"])
def test_participant_posts_access(world, name):
    assert_access(
        reverse(f"companion:{name}", kwargs={"pk": world["event"].pk}),
        owner=world["anna"].user,
        stranger=world["stranger_participant"],
        foreign_partner=world["foreign_partner"],
        foreign_partner_status=403,
        wrong_role=world["office"],
        method="post",
        owner_status=302,
    )


def test_series_access(world):
    assert_access(
        reverse("companion:series_detail", kwargs={"pk": world["series"].pk}),
        owner=world["anna"].user,
        stranger=world["stranger_participant"],
        foreign_partner=world["foreign_partner"],
        foreign_partner_status=403,
        wrong_role=world["evaluator"],
    )
    assert_access(
        reverse("companion:series_detail", kwargs={"pk": world["series"].pk}),
        owner=world["office"],
        stranger=world["stranger"],
    )
    assert_access(
        reverse("companion:series_register", kwargs={"pk": world["series"].pk}),
        owner=world["anna"].user,
        stranger=world["stranger_participant"],
        foreign_partner=world["foreign_partner"],
        foreign_partner_status=403,
        wrong_role=world["office"],
        method="post",
        owner_status=302,
    )


def test_list_pages_access(world):
    assert_access(
        reverse("companion:my_events"),
        owner=world["anna"].user,
        foreign_partner=world["foreign_partner"],
        foreign_partner_status=403,
        wrong_role=world["office"],
    )
    assert_access(
        reverse("companion:partner_registrations"),
        owner=world["contact"],
        wrong_role=world["anna"].user,
    )


def test_partner_sees_only_their_peoples_registrations(client, world):
    client.force_login(world["contact"])
    page = client.get(reverse("companion:partner_registrations")).content.decode()
    assert "Eva Extern" in page and "Anna Schmidt" not in page
    client.force_login(world["foreign_partner"])
    page = client.get(reverse("companion:partner_registrations")).content.decode()
    assert "Eva Extern" not in page


def test_register_then_waiting_list_and_link_only_when_registered(client, world):
    event = world["event"]
    client.cookies["django_language"] = "en"
    client.force_login(world["anna"].user)
    url = reverse("companion:event_detail", kwargs={"pk": event.pk})
    page = client.get(url).content.decode()
    assert "meet.example" not in page and "Shown here once you are registered" in page
    response = client.post(
        reverse("companion:event_register", kwargs={"pk": event.pk}), follow=True
    )
    page = response.content.decode()
    assert "You are registered." in page and "meet.example/pioneer-geheim" in page
    # The event is full now (2 places): the next person joins the waiting list.
    third = participant_in(world["cohort"])
    client.force_login(third.user)
    page = client.get(url).content.decode()
    assert "Join the waiting list" in page
    page = client.post(
        reverse("companion:event_register", kwargs={"pk": event.pk}), follow=True
    ).content.decode()
    assert "you are on the waiting list" in page and "number 1 on the waiting list" in page
    assert "meet.example" not in page


def test_cancel_confirmation_says_how_many_are_told(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["office"])
    url = reverse("companion:event_cancel", kwargs={"pk": world["event"].pk})
    assert "1 person registered or waiting will be told" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Raum nicht verfügbar"})
    assert response.status_code == 302
    world["event"].refresh_from_db()
    assert world["event"].is_cancelled


def test_create_and_edit_an_event(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["office"])
    start = (timezone.localtime() + timedelta(days=30)).replace(second=0, microsecond=0)
    data = {
        "kind": "keynote",
        "title": "Impuls: Verwaltung der Zukunft",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "format": "online",
        "online_link": "https://meet.example/impuls",
        "capacity": "",
    }
    response = client.post(
        reverse("companion:event_create", kwargs={"cohort_pk": world["cohort"].pk}), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(title=data["title"])
    assert event.starts_at == start and event.capacity is None
    data["ends_at"] = data["starts_at"]
    response = client.post(reverse("companion:event_update", kwargs={"pk": event.pk}), data)
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    event.refresh_from_db()
    assert event.ends_at == start + timedelta(hours=2)


def test_check_in_with_htmx_and_without(client, world):
    now = timezone.now()
    event = world["event"]
    services.event_update(event=event, starts_at=now - timedelta(minutes=30), by=SYSTEM)
    client.cookies["django_language"] = "en"
    client.force_login(world["office"])
    url = reverse(
        "companion:attendance_mark",
        kwargs={"pk": event.pk, "registration_pk": world["registration"].pk},
    )
    response = client.post(url, {"action": "check_in"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "Checked in" in fragment and "<html" not in fragment
    response = client.post(url, {"action": "no_show"})
    assert response.status_code == 302
    world["registration"].refresh_from_db()
    assert world["registration"].attendance == "no_show"
    page = client.get(reverse("companion:attendance", kwargs={"pk": event.pk})).content.decode()
    assert "Did not come" in page and "Signature" in page


def test_planner_month_view_and_filters(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["office"])
    url = reverse("companion:planner", kwargs={"cohort_pk": world["cohort"].pk})
    month = timezone.localtime(world["event"].starts_at).strftime("%Y-%m")
    page = client.get(url, {"view": "month", "month": month}).content.decode()
    assert world["event"].title in page
    assert client.get(url, {"view": "month", "month": "²"}).status_code == 200
    assert client.get(url, {"show": "waiting"}).status_code == 200
    assert world["event"].title not in client.get(url, {"show": "unrecorded"}).content.decode()


def test_attendance_exports(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["office"])
    response = client.get(
        reverse("companion:attendance_csv", kwargs={"cohort_pk": world["cohort"].pk})
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "Eva Extern" in text and text.startswith("\ufeff")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("companion:attendance_xlsx", kwargs={"cohort_pk": world["cohort"].pk}))
    job = Job.objects.get(kind="companion.attendance_export")
    assert job.state == Job.State.DONE, job.error


def test_ics_parses_and_updates(client, world):
    event = world["event"]
    client.force_login(world["anna"].user)
    url = reverse("companion:event_ics", kwargs={"pk": event.pk})

    def parsed():
        response = client.get(url)
        assert response["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        (vevent,) = calendar.walk("VEVENT")
        return calendar, vevent

    calendar, first = parsed()
    assert str(first["UID"]).startswith(f"event-{event.pk}@")
    assert int(first["SEQUENCE"]) == 0 and str(first["STATUS"]) == "CONFIRMED"
    assert first["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert first.decoded("DTSTART") == event.starts_at
    assert calendar.walk("VTIMEZONE")
    assert "meet.example" not in first.get("LOCATION", "")  # Anna is not registered
    services.event_update(event=event, starts_at=event.starts_at + timedelta(hours=1), by=SYSTEM)
    _calendar, moved = parsed()
    assert moved["UID"] == first["UID"] and int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == event.starts_at
    services.event_cancel(event=event, by=SYSTEM)
    _calendar, cancelled = parsed()
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 2
    # Registered people get the online link in their calendar.
    client.force_login(world["expert"].user)
    _calendar, theirs = parsed()
    assert "meet.example/pioneer-geheim" in str(theirs["LOCATION"])


def test_series_page_registers_for_all(client, world):
    cohort, series = world["cohort"], world["series"]
    EventFactory(cohort=cohort, series=series, starts_at=timezone.now() + timedelta(days=40))
    client.force_login(world["anna"].user)
    response = client.post(reverse("companion:series_register", kwargs={"pk": series.pk}))
    assert response.status_code == 302
    assert Reg.objects.filter(participation=world["anna"], state="registered").count() == 2


def test_cohort_page_has_the_events_tab(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["office"])
    page = client.get(reverse("cohorts:cohort_detail", kwargs={"pk": world["cohort"].pk}))
    assert reverse("companion:planner", kwargs={"cohort_pk": world["cohort"].pk}) in (
        page.content.decode()
    )


def test_participant_home_shows_next_events(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world["anna"].user)
    page = client.get(reverse("home")).content.decode()
    assert "Your next events" in page and world["event"].title in page


def test_event_page_says_how_many_places_are_taken(client, world):
    client.force_login(world["office"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("companion:event_detail", args=[world["event"].pk]))
    assert "1 of 2 places taken" in response.content.decode()
