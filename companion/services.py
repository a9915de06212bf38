"""Every write of the companion programme: events and series, registrations with the
waiting list, attendance, reminders and the notices of changes.

Functions are keyword-only, named <entity>_<verb>, atomic, take the acting person as
`by` (`pioneer.access.SYSTEM` for work without one) and name their side effects. The
service owns every rule: the forms only parse.

Capacity is never exceeded: every change of who holds a place first locks the event's
row (`SELECT ... FOR UPDATE`), so two people taking the last place at the same moment
are served one after the other, and the second joins the waiting list.

Every e-mail goes through the notification ledger in the same transaction: reminders
7 days and 1 day before (scheduled with their due dates, sent by the dispatcher),
notices of a change or a cancellation, and the note to a person promoted from the
waiting list. The ledger's key (kind, object, person, due date) sends each once.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Participation
from companion.models import Event, EventChange, EventRegistration, Series
from pioneer import hooks
from pioneer.access import SYSTEM, actor, check_may_act_for
from pioneer.rules import is_office_of
from pioneer.services import notification_schedule, notification_unschedule

Reg = EventRegistration

# Reminders before an event: (notification kind, how long before its start).
REMINDERS = (
    ("companion.reminder_week", timedelta(days=7)),
    ("companion.reminder_day", timedelta(days=1)),
)
REMINDER_KINDS = tuple(kind for kind, _before in REMINDERS)
# What people registered for an event are told about when it changes.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "format", "venue", "address", "online_link")
# What a calendar shows: a change raises the event's sequence, so calendars update.
CALENDAR_FIELDS = (*NOTIFIED_FIELDS, "title", "description")
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "format",
    "venue",
    "address",
    "online_link",
    "host_organisation",
    "capacity",
    "registration_opens",
    "registration_closes",
    "cancellation_deadline",
    "series",
    "materials",
)
# The office may check people in from the day before an event on (badges, lists).
CHECK_IN_FROM = timedelta(days=1)


# ------------------------------------------------------------------------- guards


def _check_runs(by, cohort):
    """Only the office that runs the cohort's programme plans its events."""
    if by is SYSTEM:
        return
    if by is None:
        raise TypeError("pass the acting person as by=, or by=SYSTEM for work without one")
    if not is_office_of(by, cohort.programme.organisation_id):
        raise ValidationError(_("Only the programme office that runs this cohort can do this."))


def _is_office(by, cohort):
    return by is SYSTEM or (by is not None and is_office_of(by, cohort.programme.organisation_id))


def _check_event(event):
    errors = {}
    if event.cohort.state == Cohort.State.CLOSED:
        raise ValidationError(_("The cohort is closed; its events cannot be changed any more."))
    if event.capacity is not None and event.capacity < 1:
        errors["capacity"] = _("Places: at least one, or leave it empty for no limit.")
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if (
        event.registration_closes
        and event.starts_at
        and event.registration_closes > event.starts_at
    ):
        errors["registration_closes"] = _("Registration must close before the event starts.")
    if (
        event.registration_opens
        and event.registration_closes
        and event.registration_closes <= event.registration_opens
    ):
        errors["registration_closes"] = _("Registration must close after it opens.")
    if (
        event.cancellation_deadline
        and event.starts_at
        and event.cancellation_deadline > event.starts_at
    ):
        errors["cancellation_deadline"] = _(
            "The cancellation deadline must not be after the start of the event."
        )
    if event.series_id and event.series.cohort_id != event.cohort_id:
        errors["series"] = _("Choose a series of this cohort.")
    if errors:
        raise ValidationError(errors)
    # The relations were checked above or by the caller's guards; their rows need no
    # second look-up.
    event.full_clean(exclude=["cohort", "series", "host_organisation"])


MATERIAL_KEY_LENGTH = 200


def _check_materials(materials, by, kept=()):
    """The linked materials as a list of keys without repeats. A person may link what
    pioneer.hooks.material_choices offers them, and keep what the event linked already
    (a blueprint since withdrawn stays until removed; nobody sees it meanwhile). Work
    without a person (SYSTEM: the demo) links any well-formed key."""
    if materials is None:
        return []
    if not isinstance(materials, list | tuple) or not all(
        isinstance(key, str) and 0 < len(key) <= MATERIAL_KEY_LENGTH for key in materials
    ):
        raise ValidationError({"materials": _("Choose materials from the list.")})
    keys = list(dict.fromkeys(materials))
    if by is SYSTEM or not keys:
        return keys
    allowed = {key for key, _label in hooks.material_choices_for(by)} | set(kept)
    if any(key not in allowed for key in keys):
        raise ValidationError(
            {"materials": _("Choose only materials from the library that you may read.")}
        )
    return keys


# ------------------------------------------------------------------------- events


@transaction.atomic
def series_create(*, cohort, title, description="", by):
    """A series of the cohort's events (e.g. a learning journey). No side effects."""
    _check_runs(by, cohort)
    series = Series(cohort=cohort, title=title, description=description)
    series.full_clean(exclude=["cohort"])
    series.save()
    return series


@transaction.atomic
def event_create(
    *,
    cohort,
    kind,
    title,
    starts_at,
    ends_at,
    description="",
    format=Event.Format.IN_PERSON,
    venue="",
    address="",
    online_link="",
    host_organisation=None,
    capacity=None,
    registration_opens=None,
    registration_closes=None,
    cancellation_deadline=None,
    series=None,
    materials=None,
    by,
):
    """Plan an event of the cohort. Guards: `by` runs the cohort, which is not closed; the
    host organisation is one the office acts for; the times are in order; the materials
    are ones `by` may link. No side effects (nobody is registered yet)."""
    _check_runs(by, cohort)
    materials = _check_materials(materials, by)
    if host_organisation is not None:
        check_may_act_for(by, host_organisation, field="host_organisation")
    event = Event(
        cohort=cohort,
        kind=kind,
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        format=format,
        venue=venue,
        address=address,
        online_link=online_link,
        host_organisation=host_organisation,
        capacity=capacity,
        registration_opens=registration_opens,
        registration_closes=registration_closes,
        cancellation_deadline=cancellation_deadline,
        series=series,
        materials=materials,
    )
    _check_event(event)
    event.save()
    return event


def _lock(event):
    """The event's row, locked until the end of the transaction: who holds a place is
    decided by one writer at a time."""
    # of=self: the joined cohort and programme rows stay unlocked (other events of the
    # cohort are registered for at the same time).
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("cohort__programme")
        .get(pk=event.pk)
    )


@transaction.atomic
def event_update(*, event, by, **values):
    """Change an event's details (only the names in EVENT_FIELDS).

    Guards: as event_create; places cannot drop below the people registered. Side
    effects: a change of time, place, format or link raises the sequence, is recorded
    (EventChange) and told to everyone registered or waiting (one notice per change and
    person); moved times move the reminders; more places promote people from the waiting
    list (each told once). Returns the event.
    """
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"event_update does not change {sorted(unknown)}")
    _check_runs(by, event.cohort)
    locked = _lock(event)
    if locked.is_cancelled:
        raise ValidationError(_("The event has been cancelled; it cannot be changed any more."))
    if values.get("host_organisation") and values["host_organisation"].pk != (
        locked.host_organisation_id
    ):
        check_may_act_for(by, values["host_organisation"], field="host_organisation")
    if "materials" in values:
        values["materials"] = _check_materials(values["materials"], by, kept=locked.materials)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
    _check_event(locked)
    registered = locked.registrations.filter(state=Reg.State.REGISTERED).count()
    if locked.capacity is not None and locked.capacity < registered:
        raise ValidationError(
            {
                "capacity": _(
                    "%(count)s people are registered already; the places cannot be fewer. "
                    "Remove people from the attendance list first."
                )
                % {"count": registered}
            }
        )
    notified = [name for name in changed if name in NOTIFIED_FIELDS]
    if any(name in CALENDAR_FIELDS for name in changed):
        locked.sequence += 1
    locked.save()
    if notified:
        change = EventChange.objects.create(
            event=locked, sequence=locked.sequence, fields=",".join(notified), by=actor(by)
        )
        for registration in _people_to_tell(locked):
            notification_schedule(
                kind="companion.event_changed",
                target=change,
                recipient=registration.participation.user,
                due_at=timezone.now(),
            )
    if "starts_at" in changed:
        _reschedule_reminders(locked)
    if "capacity" in changed:
        _promote(locked, by=by)
    for name in EVENT_FIELDS:  # the caller's instance shows what was saved
        setattr(event, name, getattr(locked, name))
    event.sequence = locked.sequence
    return event


def _people_to_tell(event):
    return event.registrations.filter(
        state__in=[Reg.State.REGISTERED, Reg.State.WAITING]
    ).select_related("participation__user")


@transaction.atomic
def event_cancel(*, event, reason="", by):
    """Cancel an event. Side effects: the sequence rises (calendars mark it cancelled),
    pending reminders are taken back, and everyone registered or waiting is told once.
    Cancelling twice changes nothing the second time. Returns how many were told."""
    _check_runs(by, event.cohort)
    locked = _lock(event)
    if locked.is_cancelled:
        return 0
    if locked.is_past():
        raise ValidationError(_("The event is over; it cannot be cancelled any more."))
    locked.state = Event.State.CANCELLED
    locked.cancelled_reason = reason
    locked.sequence += 1
    locked.save(update_fields=["state", "cancelled_reason", "sequence", "updated_at"])
    people = list(_people_to_tell(locked))
    notification_unschedule(kinds=REMINDER_KINDS, model=Reg, object_ids=[r.pk for r in people])
    for registration in people:
        notification_schedule(
            kind="companion.event_cancelled",
            target=locked,
            recipient=registration.participation.user,
            due_at=timezone.now(),
        )
    event.state, event.sequence = locked.state, locked.sequence
    event.cancelled_reason = reason
    return len(people)


def people_to_tell_count(event):
    """How many people a cancellation would tell (the confirmation step says it)."""
    return _people_to_tell(event).count()


# ------------------------------------------------------------------------- reminders


def _schedule_reminders(registration, event, now=None):
    now = now or timezone.now()
    for kind, before in REMINDERS:
        due = event.starts_at - before
        if due > now:
            notification_schedule(
                kind=kind,
                target=registration,
                recipient=registration.participation.user,
                due_at=due,
            )


def _reschedule_reminders(event):
    registrations = list(
        event.registrations.filter(state=Reg.State.REGISTERED).select_related("participation__user")
    )
    notification_unschedule(
        kinds=REMINDER_KINDS, model=Reg, object_ids=[r.pk for r in registrations]
    )
    for registration in registrations:
        _schedule_reminders(registration, event)


# ------------------------------------------------------------------------- registrations


def _check_person(participation, event):
    if participation.cohort_id != event.cohort_id:
        raise ValidationError(_("Only participants of this cohort can register for its events."))
    if participation.state == Participation.State.WITHDRAWN:
        raise ValidationError(
            _("%(name)s has withdrawn from the cohort and cannot register.")
            % {"name": participation.user}
        )


def _check_self_or_office(by, participation, event):
    """A person registers or cancels themselves; the cohort's office may do it for them."""
    if by is SYSTEM or _is_office(by, event.cohort):
        return
    if by is None or by.pk != participation.user_id:
        raise ValidationError(_("You can only register or cancel for yourself."))


def _take_place(event, participation, *, by):
    """Inside the event's lock: a place if one is free, else the end of the waiting
    list. An existing live registration is returned as it is (registering twice is
    registering once)."""
    registration = (
        Reg.objects.select_related("participation__user")
        .filter(event=event, participation=participation)
        .first()
    )
    if registration is not None and registration.state != Reg.State.CANCELLED:
        return registration
    registered = event.registrations.filter(state=Reg.State.REGISTERED).count()
    if event.capacity is None or registered < event.capacity:
        state, position = Reg.State.REGISTERED, None
    else:
        last = event.registrations.filter(state=Reg.State.WAITING).aggregate(
            last=Max("waiting_position")
        )["last"]
        state, position = Reg.State.WAITING, (last or 0) + 1
    if registration is None:
        registration = Reg(event=event, participation=participation)
    registration.state = state
    registration.waiting_position = position
    registration.attendance = Reg.Attendance.UNKNOWN
    registration.checked_in_at = None
    registration.by = actor(by)
    registration.save()
    if state == Reg.State.REGISTERED:
        _schedule_reminders(registration, event)
    return registration


@transaction.atomic
def registration_create(*, event, participation, by, now=None):
    """Register a participant of the event's cohort: a place while there is one, else
    the waiting list. A person registers themselves inside the registration window; the
    office may register anyone of the cohort at any time before the start, but never
    beyond the places either.

    Guards: the person belongs to the cohort and has not withdrawn; the event is planned
    and has not begun. Side effects: the reminders (7 days and 1 day before) are
    scheduled for a place. Returns the registration (state registered or waiting).
    """
    _check_self_or_office(by, participation, event)
    locked = _lock(event)
    _check_person(participation, locked)
    now = now or timezone.now()
    if locked.is_cancelled:
        raise ValidationError(_("The event has been cancelled."))
    if now >= locked.starts_at:
        raise ValidationError(_("The event has begun; registration is closed."))
    if not _is_office(by, locked.cohort) and not locked.registration_open(now):
        if locked.registration_opens and now < locked.registration_opens:
            raise ValidationError(
                _("Registration opens on %(date)s.")
                % {
                    "date": formats.date_format(
                        timezone.localtime(locked.registration_opens), "DATETIME_FORMAT"
                    )
                }
            )
        raise ValidationError(_("Registration for this event has closed."))
    return _take_place(locked, participation, by=by)


@transaction.atomic
def series_register(*, series, participation, by, now=None):
    """Register for every event of the series that has not begun and is not cancelled,
    each exactly as registration_create does (a full one puts the person on its waiting
    list). Returns the registrations. Refuses when no event of the series takes
    registrations."""
    now = now or timezone.now()
    events = list(
        series.events.filter(state=Event.State.PLANNED, starts_at__gt=now).select_related(
            "cohort__programme"
        )
    )
    office = _is_office(by, series.cohort)
    open_events = [e for e in events if office or e.registration_open(now)]
    if not open_events:
        raise ValidationError(_("None of the events of this series takes registrations now."))
    return [
        registration_create(event=event, participation=participation, by=by, now=now)
        for event in open_events
    ]


def _promote(event, *, by):
    """Inside the event's lock: fill free places from the waiting list, first come
    first served. Each promoted person is told once and gets their reminders."""
    if event.is_cancelled or event.is_past():
        return []
    registered = event.registrations.filter(state=Reg.State.REGISTERED).count()
    free = None if event.capacity is None else max(event.capacity - registered, 0)
    waiting = event.registrations.filter(state=Reg.State.WAITING).select_related(
        "participation__user"
    )
    waiting = waiting.order_by("waiting_position", "created_at", "id")
    promoted = list(waiting if free is None else waiting[:free])
    for registration in promoted:
        registration.state = Reg.State.REGISTERED
        registration.waiting_position = None
        registration.by = actor(by)
        registration.save(update_fields=["state", "waiting_position", "by", "changed_at"])
        notification_schedule(
            kind="companion.registration_promoted",
            target=registration,
            recipient=registration.participation.user,
            due_at=timezone.now(),
        )
        _schedule_reminders(registration, event)
    return promoted


@transaction.atomic
def registration_cancel(*, registration, by, now=None):
    """Cancel a registration or leave the waiting list. A person cancels themselves until
    the event's cancellation deadline (else its start); after it they are refused with
    a message that names the deadline. The office may remove anyone until the event
    ends.

    Side effects: their pending reminders are taken back; a freed place goes to the
    first person waiting, who is told once. Cancelling twice changes nothing.
    """
    event = registration.event
    _check_self_or_office(by, registration.participation, event)
    locked = _lock(event)
    registration = Reg.objects.select_for_update().get(pk=registration.pk)
    if registration.state == Reg.State.CANCELLED:
        return registration
    now = now or timezone.now()
    office = _is_office(by, locked.cohort)
    if office:
        if locked.is_past(now):
            raise ValidationError(_("The event is over; record attendance instead."))
    elif registration.state == Reg.State.REGISTERED and now > locked.may_cancel_until():
        raise ValidationError(
            _(
                "The cancellation deadline for this event passed on %(date)s. Please tell "
                "the programme office if you cannot come."
            )
            % {
                "date": formats.date_format(
                    timezone.localtime(locked.may_cancel_until()), "DATETIME_FORMAT"
                )
            }
        )
    held_place = registration.state == Reg.State.REGISTERED
    registration.state = Reg.State.CANCELLED
    registration.waiting_position = None
    registration.by = actor(by)
    registration.save(update_fields=["state", "waiting_position", "by", "changed_at"])
    notification_unschedule(kinds=REMINDER_KINDS, model=Reg, object_ids=[registration.pk])
    if held_place:
        _promote(locked, by=by)
    return registration


# ------------------------------------------------------------------------- attendance


def _check_attendance(registration, by, now):
    event = registration.event
    _check_runs(by, event.cohort)
    if event.is_cancelled:
        raise ValidationError(_("The event has been cancelled."))
    if registration.state != Reg.State.REGISTERED:
        raise ValidationError(_("Only registered people can be checked in."))
    if now < event.starts_at - CHECK_IN_FROM:
        raise ValidationError(_("Attendance can be recorded from the day before the event."))


@transaction.atomic
def attendance_check_in(*, registration, by, now=None):
    """Record that the person came (with the time). Checking in twice keeps the first
    time. No side effects."""
    now = now or timezone.now()
    _check_attendance(registration, by, now)
    if registration.attendance != Reg.Attendance.ATTENDED:
        registration.attendance = Reg.Attendance.ATTENDED
        registration.checked_in_at = now
        registration.by = actor(by)
        registration.save(update_fields=["attendance", "checked_in_at", "by", "changed_at"])
    return registration


@transaction.atomic
def attendance_mark_no_show(*, registration, by, now=None):
    """Record that a registered person did not come (possible once the event has
    begun). No side effects."""
    now = now or timezone.now()
    _check_attendance(registration, by, now)
    if now < registration.event.starts_at:
        raise ValidationError(_("A no-show can be recorded once the event has begun."))
    registration.attendance = Reg.Attendance.NO_SHOW
    registration.checked_in_at = None
    registration.by = actor(by)
    registration.save(update_fields=["attendance", "checked_in_at", "by", "changed_at"])
    return registration


@transaction.atomic
def attendance_reset(*, registration, by, now=None):
    """Undo a check-in or a no-show (a mistake on the list). No side effects."""
    now = now or timezone.now()
    _check_attendance(registration, by, now)
    registration.attendance = Reg.Attendance.UNKNOWN
    registration.checked_in_at = None
    registration.by = actor(by)
    registration.save(update_fields=["attendance", "checked_in_at", "by", "changed_at"])
    return registration


# ------------------------------------------------------------------------- copying


def events_copy(*, source, target, shift, by, adopted=False):
    """Copy the source cohort's plan (series and planned events) into the target cohort,
    every date moved by `shift`, the linked materials kept. Called from the cohorts app's
    copy signal, inside its transaction. Returns the number of events copied. No
    registrations are copied.

    `adopted`: the target belongs to another organisation that adopted the source's
    programme (blueprints). Kinds, titles, descriptions, formats, capacities and dates
    relative to the start are theirs to keep; the places, online links and host
    organisations are the source organisation's own arrangements (partners the adopting
    office may not act for), so they are left for the adopting office to fill in."""
    series_map = {}
    for series in Series.objects.filter(cohort=source):
        series_map[series.pk] = Series.objects.create(
            cohort=target, title=series.title, description=series.description
        )
    events = []
    for event in Event.objects.filter(cohort=source, state=Event.State.PLANNED):

        def moved(value):
            # The same time of day on the shifted day: a 9 o'clock workshop in winter
            # stays at 9 when the copy falls in summer time.
            if not value:
                return value
            local = timezone.localtime(value)
            return timezone.make_aware(local.replace(tzinfo=None) + shift, local.tzinfo)

        events.append(
            Event(
                cohort=target,
                series=series_map.get(event.series_id),
                kind=event.kind,
                title=event.title,
                description=event.description,
                starts_at=moved(event.starts_at),
                ends_at=moved(event.ends_at),
                format=event.format,
                venue="" if adopted else event.venue,
                address="" if adopted else event.address,
                online_link="" if adopted else event.online_link,
                host_organisation=_host_in(event.host_organisation, target, adopted),
                capacity=event.capacity,
                registration_opens=moved(event.registration_opens),
                registration_closes=moved(event.registration_closes),
                cancellation_deadline=moved(event.cancellation_deadline),
                # The library's blueprints: each reader sees only those they may read.
                materials=list(event.materials),
            )
        )
    Event.objects.bulk_create(events)
    return len(events)


def _host_in(host, target, adopted):
    # Across organisations only the adopting organisation itself may stay the host.
    if not adopted or host is None:
        return host
    return host if host.pk == target.programme.organisation_id else None
