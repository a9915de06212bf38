"""The companion programme's rules, as its services keep them: places and the waiting
list, cancellation deadlines, promotion (told once), reminders (sent once), changes and
cancellations told through the ledger, attendance, the copy of the plan."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from companion import services
from companion.models import Event, EventRegistration
from pioneer.access import SYSTEM
from pioneer.models import Notification
from pioneer.services import notification_dispatch_due
from tests.factories.cohorts import CohortFactory
from tests.factories.companion import EventFactory, SeriesFactory, participant_in, register
from tests.factories.core import office_user

pytestmark = pytest.mark.django_db
Reg = EventRegistration


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English (the catalogue's German is the default)."""
    with translation.override("en"):
        yield


def _ledger(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters)


def test_capacity_then_waiting_list_in_order():
    event = EventFactory(capacity=2)
    people = [participant_in(event.cohort) for _ in range(4)]
    states = [register(event, p) for p in people]
    assert [r.state for r in states] == ["registered", "registered", "waiting", "waiting"]
    assert states[2].waiting_position < states[3].waiting_position
    assert event.registrations.filter(state="registered").count() == 2


def test_registering_twice_is_registering_once():
    event = EventFactory(capacity=1)
    person = participant_in(event.cohort)
    first = register(event, person)
    again = register(event, person)
    assert first.pk == again.pk and again.state == "registered"


def test_only_the_cohorts_participants_register():
    event = EventFactory()
    stranger = participant_in(CohortFactory())
    with pytest.raises(ValidationError, match="Only participants of this cohort"):
        register(event, stranger)
    person = participant_in(event.cohort)
    with pytest.raises(ValidationError, match="only register or cancel for yourself"):
        services.registration_create(
            event=event, participation=person, by=participant_in(event.cohort).user
        )


def test_registration_window_for_people_but_not_for_the_office():
    now = timezone.now()
    event = EventFactory(registration_opens=now + timedelta(days=2))
    person = participant_in(event.cohort)
    with pytest.raises(ValidationError, match="Registration opens"):
        services.registration_create(event=event, participation=person, by=person.user)
    office = office_user(event.cohort.programme.organisation)
    assert (
        services.registration_create(event=event, participation=person, by=office).state
        == "registered"
    )
    closed = EventFactory(cohort=event.cohort, registration_closes=now - timedelta(hours=1))
    with pytest.raises(ValidationError, match="has closed"):
        services.registration_create(event=closed, participation=person, by=person.user)


def test_cancellation_after_the_deadline_is_refused_with_its_date(settings):
    now = timezone.now()
    event = EventFactory(cancellation_deadline=now + timedelta(days=1))
    person = participant_in(event.cohort)
    registration = register(event, person)
    with pytest.raises(ValidationError) as refused:
        services.registration_cancel(
            registration=registration, by=person.user, now=now + timedelta(days=2)
        )
    assert "cancellation deadline for this event passed on" in refused.value.messages[0]
    registration.refresh_from_db()
    assert registration.state == "registered"
    # The office may still remove the person.
    office = office_user(event.cohort.programme.organisation)
    services.registration_cancel(registration=registration, by=office, now=now + timedelta(days=2))
    registration.refresh_from_db()
    assert registration.state == "cancelled"


def test_cancel_promotes_the_first_waiting_and_tells_them_once(mailoutbox):
    event = EventFactory(capacity=1)
    first, second, third = (participant_in(event.cohort) for _ in range(3))
    held = register(event, first)
    waiting = register(event, second)
    register(event, third)
    services.registration_cancel(registration=held, by=first.user)
    waiting.refresh_from_db()
    assert waiting.state == "registered" and waiting.waiting_position is None
    assert event.registrations.filter(state="registered").count() == 1
    promoted = _ledger("companion.registration_promoted")
    assert list(promoted.values_list("recipient", flat=True)) == [second.user_id]
    # A second cancel of the same registration changes nothing and tells nobody again.
    services.registration_cancel(registration=held, by=first.user)
    notification_dispatch_due(inline=True)
    notification_dispatch_due(inline=True)
    told = [m for m in mailoutbox if second.user.email in m.to]
    assert len(told) == 1
    assert event.title in told[0].subject


def test_more_places_promote_waiting_people():
    event = EventFactory(capacity=1)
    people = [participant_in(event.cohort) for _ in range(3)]
    for p in people:
        register(event, p)
    services.event_update(event=event, capacity=3, by=SYSTEM)
    assert event.registrations.filter(state="registered").count() == 3


def test_places_cannot_drop_below_those_registered():
    event = EventFactory(capacity=3)
    for _ in range(2):
        register(event, participant_in(event.cohort))
    with pytest.raises(ValidationError, match="2 people are registered"):
        services.event_update(event=event, capacity=1, by=SYSTEM)


def test_reminders_are_scheduled_and_sent_once(mailoutbox):
    event = EventFactory(starts_at=timezone.now() + timedelta(days=10))
    event.ends_at = event.starts_at + timedelta(hours=3)
    event.save()
    person = participant_in(event.cohort)
    register(event, person)
    reminders = Notification.objects.filter(kind__in=services.REMINDER_KINDS)
    assert sorted(reminders.values_list("kind", flat=True)) == [
        "companion.reminder_day",
        "companion.reminder_week",
    ]
    week_due = event.starts_at - timedelta(days=7)
    assert notification_dispatch_due(inline=True, now=week_due - timedelta(minutes=1)) == 0
    assert notification_dispatch_due(inline=True, now=week_due + timedelta(minutes=1)) == 1
    assert notification_dispatch_due(inline=True, now=week_due + timedelta(minutes=2)) == 0
    assert len(mailoutbox) == 1 and event.title in mailoutbox[0].subject
    day_due = event.starts_at - timedelta(days=1)
    assert notification_dispatch_due(inline=True, now=day_due + timedelta(minutes=1)) == 1
    assert notification_dispatch_due(inline=True, now=day_due + timedelta(minutes=1)) == 0
    assert len(mailoutbox) == 2


def test_no_reminder_for_a_cancelled_registration():
    event = EventFactory(starts_at=timezone.now() + timedelta(days=10))
    event.ends_at = event.starts_at + timedelta(hours=3)
    event.save()
    person = participant_in(event.cohort)
    registration = register(event, person)
    services.registration_cancel(registration=registration, by=person.user)
    assert not Notification.objects.filter(kind__in=services.REMINDER_KINDS).exists()
    # Registering anew schedules them again.
    register(event, person)
    assert Notification.objects.filter(kind__in=services.REMINDER_KINDS).count() == 2


def test_moving_an_event_moves_the_reminders_and_tells_people(mailoutbox):
    event = EventFactory(starts_at=timezone.now() + timedelta(days=20))
    event.ends_at = event.starts_at + timedelta(hours=3)
    event.save()
    person = participant_in(event.cohort)
    register(event, person)
    new_start = event.starts_at + timedelta(days=3)
    services.event_update(
        event=event, starts_at=new_start, ends_at=new_start + timedelta(hours=3), by=SYSTEM
    )
    assert event.sequence == 1
    dues = set(
        Notification.objects.filter(kind__in=services.REMINDER_KINDS).values_list(
            "due_at", flat=True
        )
    )
    assert dues == {new_start - timedelta(days=7), new_start - timedelta(days=1)}
    changed = _ledger("companion.event_changed", recipient=person.user)
    assert changed.count() == 1
    # A second change on the same day is a second notice.
    services.event_update(event=event, venue="Staatskanzlei", by=SYSTEM)
    assert changed.count() == 2 and event.sequence == 2
    # A change of the description alone raises the sequence but tells nobody.
    services.event_update(event=event, description="Mit Mittagessen", by=SYSTEM)
    assert changed.count() == 2 and event.sequence == 3


def test_cancel_tells_everyone_once_and_takes_back_reminders():
    event = EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=10))
    event.ends_at = event.starts_at + timedelta(hours=3)
    event.save()
    people = [participant_in(event.cohort) for _ in range(2)]
    for p in people:
        register(event, p)
    office = office_user(event.cohort.programme.organisation)
    assert services.people_to_tell_count(event) == 2
    assert services.event_cancel(event=event, reason="Krankheit", by=office) == 2
    assert services.event_cancel(event=event, reason="Krankheit", by=office) == 0
    assert _ledger("companion.event_cancelled").count() == 2
    assert not Notification.objects.filter(kind__in=services.REMINDER_KINDS).exists()
    event.refresh_from_db()
    assert event.state == Event.State.CANCELLED and event.sequence == 1
    with pytest.raises(ValidationError, match="cancelled"):
        register(event, participant_in(event.cohort))


def test_only_the_running_office_plans():
    cohort = CohortFactory()
    stranger = office_user()
    with pytest.raises(ValidationError, match="Only the programme office"):
        services.event_create(
            cohort=cohort,
            kind="workshop",
            title="X",
            starts_at=timezone.now() + timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=1, hours=1),
            by=stranger,
        )


def test_event_times_in_order():
    cohort = CohortFactory()
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        services.event_create(
            cohort=cohort,
            kind="workshop",
            title="X",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
            cancellation_deadline=start + timedelta(hours=1),
            by=SYSTEM,
        )
    assert set(refused.value.message_dict) == {"ends_at", "cancellation_deadline"}


def test_series_registration_covers_every_open_event():
    cohort = CohortFactory()
    series = SeriesFactory(cohort=cohort)
    events = [EventFactory(cohort=cohort, series=series, capacity=1) for _ in range(3)]
    register(events[1], participant_in(cohort))  # the second station is full
    person = participant_in(cohort)
    registrations = services.series_register(series=series, participation=person, by=person.user)
    assert [r.state for r in registrations] == ["registered", "waiting", "registered"]


def test_attendance_check_in_and_no_show():
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    office = office_user(event.cohort.programme.organisation)
    people = [participant_in(event.cohort) for _ in range(2)]
    regs = [services._take_place(Event.objects.get(pk=event.pk), p, by=SYSTEM) for p in people]
    services.attendance_check_in(registration=regs[0], by=office)
    services.attendance_mark_no_show(registration=regs[1], by=office)
    assert regs[0].attendance == "attended" and regs[0].checked_in_at
    assert regs[1].attendance == "no_show"
    with pytest.raises(ValidationError):
        services.attendance_check_in(registration=regs[0], by=office_user())
    early = EventFactory(cohort=event.cohort, starts_at=now + timedelta(days=5))
    waiting_one = register(early, people[0])
    with pytest.raises(ValidationError, match="from the day before"):
        services.attendance_check_in(registration=waiting_one, by=office)


def test_copy_shifts_the_plan():
    cohort = CohortFactory()
    series = SeriesFactory(cohort=cohort)
    event = EventFactory(cohort=cohort, series=series, cancellation_deadline=None)
    EventFactory(cohort=cohort, state=Event.State.CANCELLED)
    target = CohortFactory(programme=cohort.programme)
    shift = timedelta(days=182)
    assert services.events_copy(source=cohort, target=target, shift=shift, by=SYSTEM) == 1
    copy = Event.objects.get(cohort=target)

    # The same time of day on the shifted day, whether or not summer time lies between.
    def wall(value):
        return timezone.localtime(value).replace(tzinfo=None)

    assert wall(copy.starts_at) == wall(event.starts_at) + shift
    assert copy.series.cohort == target and copy.series.title == series.title
    assert not copy.registrations.exists()
