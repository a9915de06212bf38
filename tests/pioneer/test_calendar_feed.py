"""The personal calendar feed: a secret, revocable URL per person whose calendar a
calendar parser (icalendar) reads back, with the dates the apps contribute through
`pioneer.hooks.personal_dates` (tandems: phases and milestones; companion: events)."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from cohorts.models import Cohort
from companion import services as companion_services
from pioneer import calendar_feed
from pioneer.access import SYSTEM
from pioneer.models import CalendarFeedToken
from tandems import services as tandem_services
from tandems.models import HospitationPhase
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory
from tests.factories.companion import EventFactory, participant_in, register
from tests.factories.core import office_user, participant_user
from tests.factories.tandems import tandem
from tests.queries import assert_flat_queries, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    today = timezone.localdate()
    cohort = CohortFactory(
        state=Cohort.State.RUNNING,
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=120),
    )
    office = office_user(cohort.programme.organisation)
    t = tandem(cohort)
    anna = t.administration
    event = EventFactory(cohort=cohort, format="hybrid", online_link="https://meet.example/geheim")
    register(event, anna)
    return {"cohort": cohort, "office": office, "tandem": t, "anna": anna, "event": event}


def _feed(world, user=None):
    user = user or world["anna"].user
    token = calendar_feed.feed_token_make(user=user, by=user)
    return reverse("calendar_feed", kwargs={"token": token})


def _read(url, client=None):
    response = (client or Client()).get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(cal):
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_feed_parses_with_phases_milestones_and_events(world):
    cal = _read(_feed(world))
    events = _events(cal)
    phases = [e for uid, e in events.items() if uid.startswith("tandems-phase-")]
    milestones = [e for uid, e in events.items() if uid.startswith("tandems-milestone-")]
    assert len(phases) == 2 and len(milestones) == 7
    # All-day phases as DATE values, the end the day after the last day.
    first = HospitationPhase.objects.get(tandem=world["tandem"], number=1)
    phase = events[f"tandems-phase-{first.pk}@{calendar_feed.uid_host()}"]
    assert type(phase["DTSTART"].dt) is date
    assert phase["DTSTART"].dt == first.start
    assert phase["DTEND"].dt == first.end + timedelta(days=1)
    # The event in Europe/Berlin, with the time zone's definition in the calendar.
    event = events[f"event-{world['event'].pk}@{calendar_feed.uid_host()}"]
    assert isinstance(event["DTSTART"].dt, datetime)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTSTART"].dt == world["event"].starts_at
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "https://meet.example/geheim" in str(event["LOCATION"])
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Berlin"


def test_a_feed_of_all_day_dates_only_still_names_berlin(world):
    companion_services.event_cancel(event=world["event"], by=world["office"])
    other = participant_user()
    cal = _read(_feed(world, other))
    assert list(cal.walk("VEVENT")) == []
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_uids_stay_and_an_edit_raises_the_sequence(world):
    url = _feed(world)
    before = _events(_read(url))
    event = world["event"]
    companion_services.event_update(
        event=event, by=world["office"], starts_at=event.starts_at + timedelta(hours=1)
    )
    t = world["tandem"]
    first, second = HospitationPhase.objects.filter(tandem=t).order_by("number")
    tandem_services.tandem_set_dates(
        tandem=t,
        first_start=first.start,
        first_end=first.end,
        second_start=second.start,
        second_end=second.end - timedelta(days=7),
        by=world["office"],
    )
    after = _events(_read(url))
    assert set(after) == set(before)
    host = calendar_feed.uid_host()
    for uid in (f"event-{event.pk}@{host}", f"tandems-phase-{second.pk}@{host}"):
        assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"]), uid
    # What did not change keeps its sequence.
    assert int(after[f"tandems-phase-{first.pk}@{host}"]["SEQUENCE"]) == int(
        before[f"tandems-phase-{first.pk}@{host}"]["SEQUENCE"]
    )


def test_a_cancelled_event_is_marked_cancelled(world):
    url = _feed(world)
    uid = f"event-{world['event'].pk}@{calendar_feed.uid_host()}"
    sequence = int(_events(_read(url))[uid]["SEQUENCE"])
    companion_services.event_cancel(event=world["event"], reason="Krank", by=world["office"])
    event = _events(_read(url))[uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > sequence


def test_a_place_on_the_waiting_list_is_tentative_without_the_link(world):
    event = EventFactory(
        cohort=world["cohort"], capacity=1, online_link="https://meet.example/x", format="hybrid"
    )
    register(event, participant_in(world["cohort"]))
    register(event, world["anna"])
    item = _events(_read(_feed(world)))[f"event-{event.pk}@{calendar_feed.uid_host()}"]
    assert str(item["STATUS"]) == "TENTATIVE"
    assert "Waiting list" in str(item["SUMMARY"]) or "Warteliste" in str(item["SUMMARY"])
    assert "meet.example" not in str(item.get("LOCATION", ""))


def test_an_early_end_cancels_what_was_still_to_come(world):
    url = _feed(world)
    tandem_services.tandem_end_early(tandem=world["tandem"], reason="Umzug", by=world["office"])
    events = _events(_read(url))
    second = HospitationPhase.objects.get(tandem=world["tandem"], number=2)
    assert str(events[f"tandems-phase-{second.pk}@{calendar_feed.uid_host()}"]["STATUS"]) == (
        "CANCELLED"
    )


def test_revoked_and_renewed_links_answer_404(world):
    user = world["anna"].user
    url = _feed(world)
    assert Client().get(url).status_code == 200
    new = calendar_feed.feed_token_make(user=user, by=user)
    assert Client().get(url).status_code == 404
    new_url = reverse("calendar_feed", kwargs={"token": new})
    assert Client().get(new_url).status_code == 200
    calendar_feed.feed_token_revoke(user=user, by=user)
    assert Client().get(new_url).status_code == 404
    assert Client().get("/calendar/not-a-token.ics").status_code == 404


def test_the_token_is_stored_only_as_a_hash(world):
    user = world["anna"].user
    token = calendar_feed.feed_token_make(user=user, by=user)
    row = CalendarFeedToken.objects.get(user=user)
    assert token not in row.token_hash
    assert row.token_hash == calendar_feed.token_hash(token)


def test_only_the_person_makes_or_revokes_their_link(world):
    with pytest.raises(PermissionDenied):
        calendar_feed.feed_token_make(user=world["anna"].user, by=world["office"])
    with pytest.raises(PermissionDenied):
        calendar_feed.feed_token_revoke(user=world["anna"].user, by=SYSTEM)


def test_another_persons_link_shows_only_their_dates(world):
    ben = world["tandem"].external
    other_cohort_tandem = tandem(CohortFactory())
    clara = other_cohort_tandem.administration.user
    event = EventFactory(cohort=world["cohort"])
    register(event, ben)
    anna_uids = set(_events(_read(_feed(world))))
    ben_uids = set(_events(_read(_feed(world, ben.user))))
    clara_uids = set(_events(_read(_feed(world, clara))))
    host = calendar_feed.uid_host()
    assert f"event-{event.pk}@{host}" in ben_uids
    assert f"event-{event.pk}@{host}" not in anna_uids
    assert f"event-{world['event'].pk}@{host}" not in ben_uids
    assert not clara_uids & (anna_uids | ben_uids)
    # Ben sees his side of the shared tandem: he is the host in phase 1, guest in phase 2.
    assert len([u for u in ben_uids if u.startswith("tandems-")]) == 9


def test_the_feed_needs_no_session_and_sets_none(world):
    response = Client().get(_feed(world))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_feed_speaks_the_persons_language(world):
    user = world["anna"].user
    user.language = "en"
    user.save()
    body = Client().get(_feed(world)).content.decode()
    assert "Hospitation phase 1" in body
    user.language = "de"
    user.save()
    with translation.override("de"):
        german = translation.gettext("Hospitation phase %(number)s: guest at %(host)s")
    body = Client().get(_feed(world)).content.decode()
    assert german.split("%")[0] in body


def test_the_feeds_queries_are_flat(world):
    url = _feed(world)
    cohort, anna = world["cohort"], world["anna"]

    def events(count):
        for _ in range(count):
            register(EventFactory(cohort=cohort), anna)

    assert_flat_queries(Client(), url, events)
    # The token's row, the phases, the milestones, the registrations with their events.
    count, sql = count_queries(Client(), url)
    assert count == 4, "\n".join(q[:120] for q in sql)


def test_the_settings_page_shows_a_new_link_once(world):
    user = world["anna"].user
    client = Client()
    client.force_login(user)
    page = client.get(reverse("calendar_feed_settings")).content.decode()
    assert reverse("calendar_feed_make") in page
    response = client.post(reverse("calendar_feed_make"), follow=True)
    page = response.content.decode()
    row = CalendarFeedToken.objects.get(user=user)
    shown = page.split('id="feed-url" value="')[1].split('"')[0]
    token = shown.rsplit("/", 1)[1].removesuffix(".ics")
    assert calendar_feed.token_hash(token) == row.token_hash
    assert Client().get(reverse("calendar_feed", kwargs={"token": token})).status_code == 200
    # Shown once: the next visit does not show it again.
    assert token not in client.get(reverse("calendar_feed_settings")).content.decode()
    client.post(reverse("calendar_feed_revoke"))
    assert not CalendarFeedToken.objects.filter(user=user).exists()
    assert Client().get(reverse("calendar_feed", kwargs={"token": token})).status_code == 404


def test_who_gets_the_settings_pages(world):
    owner = world["anna"].user
    assert_access(reverse("calendar_feed_settings"), owner=owner)
    for name in ("calendar_feed_make", "calendar_feed_revoke"):
        assert_access(reverse(name), owner=owner, method="post", owner_status=302)
    # A GET does not make or revoke anything.
    client = Client()
    client.force_login(owner)
    assert client.get(reverse("calendar_feed_make")).status_code == 405


def test_the_settings_page_keeps_to_the_budget(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world["anna"].user)
    client.get(reverse("calendar_feed_settings"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("calendar_feed_settings")).status_code == 200


def test_a_milestone_marked_done_or_moved_carries_a_higher_sequence(world):
    from tandems.models import Milestone

    url = _feed(world)
    t = world["tandem"]
    kick_off = Milestone.objects.get(tandem=t, kind=Milestone.Kind.KICK_OFF)
    uid = f"tandems-milestone-{kick_off.pk}@{calendar_feed.uid_host()}"
    before = int(_events(_read(url))[uid]["SEQUENCE"])
    tandem_services.milestone_set_done(milestone=kick_off, done=True, by=world["office"])
    # Marking it done again changes nothing a calendar should take over.
    kick_off.refresh_from_db()
    tandem_services.milestone_set_done(milestone=kick_off, done=True, by=world["office"])
    assert int(_events(_read(url))[uid]["SEQUENCE"]) == before + 1
    tandem_services.tandem_swap_order(tandem=t, by=world["office"])
    first = HospitationPhase.objects.get(tandem=t, number=1)
    assert first.sequence == 1
