"""Reads of the companion app, scoped to the person asking (deny by default).

- the office sees the events of cohorts its organisation runs (`events_for_office`);
- a participant sees the events of cohorts they take part in (and have not left);
- a partner contact sees the registrations of their organisation's people, in the
  programmes whose office linked the organisation (as `participations_for_partner`).

Every list is one query whatever its length (counts are annotated, people joined).
"""

from collections import namedtuple
from datetime import UTC

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cohorts.models import Cohort, Participation
from cohorts.selectors import (
    cohorts_for,
    office_object_or_404,
    office_organisation_ids,
    partner_organisation_ids,
    partner_people_filter,
)
from companion.models import Event, EventRegistration, Series
from pioneer import compiled

Reg = EventRegistration
LIVE = [Reg.State.REGISTERED, Reg.State.WAITING]


def with_counts(events):
    """Events with `registered_count` and `waiting_count` (one query for the list)."""
    return events.annotate(
        registered_count=Count(
            "registrations", filter=Q(registrations__state=Reg.State.REGISTERED)
        ),
        waiting_count=Count("registrations", filter=Q(registrations__state=Reg.State.WAITING)),
        attended_count=Count(
            "registrations", filter=Q(registrations__attendance=Reg.Attendance.ATTENDED)
        ),
    )


def events_for_office(user):
    """Events of the cohorts the user's programme office runs (`cohorts_for`'s condition
    on the cohort and programme the rows join anyway: as a subquery of cohorts, one event
    took PostgreSQL 1 ms to plan)."""
    return Event.objects.filter(
        cohort__programme__organisation_id__in=office_organisation_ids(user)
    ).select_related("cohort__programme", "series", "host_organisation")


def _office_event(event, **organisations):
    return Event.objects.filter(
        pk=event, cohort__programme__organisation_id__in=list(organisations.values())
    )


def office_event_or_404(user, pk):
    """`events_for_office(user).get(pk=pk)` with what it joins, else Http404: by SQL
    compiled once per process and number of organisations (pioneer.compiled)."""
    return office_object_or_404(
        user,
        "companion.office_event",
        _office_event,
        related=("cohort", "cohort__programme", "series", "host_organisation"),
        event=pk,
    )


def cohort_events(cohort):
    """A cohort's events in time order, with their counts (one query)."""
    return with_counts(
        Event.objects.filter(cohort=cohort).select_related("series", "host_organisation")
    ).order_by("starts_at", "id")


def cohort_event_list(cohort):
    """`cohort_events(cohort)` as a list, by SQL compiled once per process
    (pioneer.compiled)."""
    return compiled.objects(
        "companion.cohort_event_list",
        cohort_events,
        related=("series", "host_organisation"),
        cohort=getattr(cohort, "pk", cohort),
    )


def _live_participations(user):
    return Participation.objects.filter(user=user).exclude(state=Participation.State.WITHDRAWN)


def events_for_participant(user):
    """Events of the cohorts the person takes part in (not withdrawn), with their own
    registration's state and place on the waiting list annotated (`my_state`, `my_pk`)."""
    if not user.is_authenticated:
        return Event.objects.none()
    return _events_of_person(user.pk)


# The columns a participant's event cards show (My events): without the joins and the
# texts the query took half as long to plan.
CARD_FIELDS = ("title", "state", "kind", "format", "venue", "starts_at", "ends_at", "capacity")


def _event_cards_of_person(user):
    return _events_of_person(user).select_related(None).only(*CARD_FIELDS)


def participant_event_cards(user):
    """`events_for_participant(user)` with only the cards' columns (and the counts and
    the person's own state), by SQL compiled once per process (pioneer.compiled)."""
    if not user.is_authenticated:
        return []
    return compiled.objects("companion.participant_cards", _event_cards_of_person, user=user.pk)


def _events_of_person(user):
    mine = Reg.objects.filter(event=OuterRef("pk"), participation__user=user)
    return (
        with_counts(
            Event.objects.filter(
                cohort_id__in=_live_participations(user).values("cohort_id")
            ).select_related("cohort__programme", "series", "host_organisation")
        )
        .annotate(
            my_state=mine.values("state")[:1],
            my_pk=mine.values("pk")[:1],
        )
        .order_by("starts_at", "id")
    )


def next_events_for_participant(user, now=None, limit=5):
    """The person's coming events (not cancelled, not over), soonest first. The home's
    list names no cohort, series or host: without their joins PostgreSQL plans the query
    (counts and the person's own registration beside them) in a tenth of the time."""
    now = now or timezone.now()
    return (
        events_for_participant(user)
        .select_related(None)
        .filter(ends_at__gt=now, state=Event.State.PLANNED)[:limit]
    )


def _next_event_cards(user, moment):
    return _event_cards_of_person(user).filter(ends_at__gt=moment, state=Event.State.PLANNED)


def next_event_cards(user, now=None, limit=5):
    """`next_events_for_participant(user, now, limit)` with only the cards' columns (and
    the counts and the person's own state, as `participant_event_cards`), by SQL compiled
    once per process (pioneer.compiled, the moment given beside the person's id)."""
    if not user.is_authenticated:
        return []
    return compiled.objects(
        f"companion.next_event_cards:{limit}",
        _next_event_cards,
        limit=limit,
        user=user.pk,
        moment=now or timezone.now(),
    )


def participation_in(user, cohort_id):
    """The person's live participation in the cohort, or None."""
    return _live_participations(user).filter(cohort_id=cohort_id).first()


def _registration_of(user, event):
    # `first()` of the model's order (which sorts by the event's own order first).
    return Reg.objects.filter(event=event, participation__user=user)


def registration_of(user, event):
    """The person's own registration for the event (any state), or None: the first of
    `Reg.objects.filter(event=event, participation__user=user)` with its participation,
    by SQL compiled once per process (pioneer.compiled)."""
    found = compiled.objects(
        "companion.registration_of",
        _registration_of,
        related=("participation",),
        limit=1,
        user=getattr(user, "pk", user),
        event=getattr(event, "pk", event),
    )
    return found[0] if found else None


def waiting_rank(registration):
    """The person's place on the waiting list, counted from 1 (positions may have gaps)."""
    if registration is None or registration.state != Reg.State.WAITING:
        return None
    return (
        Reg.objects.filter(
            event_id=registration.event_id,
            state=Reg.State.WAITING,
            waiting_position__lt=registration.waiting_position,
        ).count()
        + 1
    )


def attendance_list(event):
    """Everyone registered or waiting, with person and organisation (one query):
    registered first by name, then the waiting list in order."""
    return (
        Reg.objects.filter(event=event, state__in=LIVE)
        .select_related("participation__user", "participation__organisation")
        .order_by("-state", "waiting_position", "participation__user__name", "id")
    )


# A row of `attendance_rows`: what the attendance list shows of a registration.
AttendanceRow = namedtuple(
    "AttendanceRow",
    "pk state attendance checked_in_at participation_id name email organisation "
    "organisation_short_name",
)
_ATTENDANCE_COLUMNS = (
    "pk",
    "state",
    "attendance",
    "checked_in_at",
    "participation_id",
    "participation__user__name",
    "participation__user__email",
    "participation__organisation__name",
    "participation__organisation__short_name",
)


def attendance_row(registration):
    """A registration (with its participation's person and organisation) as an
    `AttendanceRow`."""
    participation = registration.participation
    return AttendanceRow(
        registration.pk,
        registration.state,
        registration.attendance,
        registration.checked_in_at,
        registration.participation_id,
        participation.user.name,
        participation.user.email,
        participation.organisation.name,
        participation.organisation.short_name,
    )


def attendance_rows(event):
    """`attendance_list(event)` as `AttendanceRow`s: the columns the list shows, by SQL
    compiled once per process (pioneer.compiled)."""
    found = compiled.values(
        "companion.attendance_rows",
        lambda event: attendance_list(event).values(*_ATTENDANCE_COLUMNS),
        event=getattr(event, "pk", event),
    )
    return [AttendanceRow(*(row[name] for name in _ATTENDANCE_COLUMNS)) for row in found]


# A person of `addable_rows`: what the attendance list's choice needs of them.
AddableRow = namedtuple("AddableRow", "pk side name email organisation organisation_short_name")
_ADDABLE_COLUMNS = (
    "pk",
    "side",
    "user__name",
    "user__email",
    "organisation__name",
    "organisation__short_name",
)


def _addable(event, cohort, limit):
    live = Reg.objects.filter(event=event, state__in=LIVE, participation=OuterRef("pk"))
    return (
        Participation.objects.filter(cohort=cohort)
        .exclude(Exists(live))
        .exclude(state=Participation.State.WITHDRAWN)
        .order_by()
        .values(*_ADDABLE_COLUMNS)[:limit]
    )


def addable_rows(event, limit):
    """At most `limit` people of the event's cohort who have not withdrawn and are neither
    registered nor waiting for it, in no order (PostgreSQL stops after `limit` rows), as
    `AddableRow`s: by SQL compiled once per process (pioneer.compiled)."""
    found = compiled.values(
        f"companion.addable.{int(limit)}",
        lambda event, cohort: _addable(event, cohort, limit),
        event=event.pk,
        cohort=event.cohort_id,
    )
    return [AddableRow(*(row[name] for name in _ADDABLE_COLUMNS)) for row in found]


def series_for_participant(user):
    return Series.objects.filter(
        cohort_id__in=_live_participations(user).values("cohort_id")
    ).select_related("cohort")


def participant_series(user):
    """`series_for_participant(user)` as a list, by SQL compiled once per process."""
    return compiled.objects(
        "companion.participant_series",
        series_for_participant,
        related=("cohort",),
        user=getattr(user, "pk", user),
    )


def series_for_office(user):
    return Series.objects.filter(cohort__in=cohorts_for(user)).select_related("cohort")


def partner_registrations(user):
    """The registrations of the partner contact's people (as `participations_for_partner`
    scopes them), live ones, soonest event first (one query). The scope is a join, not
    an IN over the people: PostgreSQL then starts from the partner's people, not from
    every registration."""
    scope = partner_people_filter(user, prefix="participation__")
    if scope is None:
        return Reg.objects.none()
    return (
        Reg.objects.filter(scope, state__in=LIVE)
        .select_related(
            "event", "event__cohort", "participation__user", "participation__organisation"
        )
        # What the list shows: the rest (descriptions, materials, a dozen dates to
        # convert per row) cost a third of the query's time.
        .only(
            "state",
            "attendance",
            "event__title",
            "event__state",
            "event__starts_at",
            "event__ends_at",
            "event__cohort__title",
            "participation__user__name",
            "participation__user__email",
            "participation__organisation__name",
        )
        .order_by("event__starts_at", "event_id", "participation__user__name", "id")
    )


# A row of `partner_registration_rows`: what the partner's list shows of a registration.
PartnerRegistrationRow = namedtuple(
    "PartnerRegistrationRow",
    "id state attendance title event_state starts_at ends_at cohort name email organisation",
)


def partner_registration_rows(user, offset, limit):
    """`partner_registrations(user)[offset:offset + limit]` as `PartnerRegistrationRow`s,
    and the number of all of them (None when no row came): one written query.

    The list's page and its count were two queries of the ORM: the count joined every
    registration of the organisation once more, and the page, seven tables, was planned
    anew on every request (PostgreSQL found no plan for any organisation as good as the
    one for this one: 1.7 ms of planning for 1.2 of running at N = 50), then made into
    five model instances a row. Sorting the page needs every registration of the
    organisation's people anyway, so counting them at the same time costs nothing.
    Only the models' table names are formatted in; every value is a parameter."""
    from django.db import connection

    from cohorts.models import Cohort, Programme
    from pioneer.models import Organisation, PartnerLink, User

    organisations = list(partner_organisation_ids(user))
    if not organisations:
        return [], None
    marks = ", ".join(["%s"] * len(organisations))
    live = ", ".join(["%s"] * len(LIVE))
    # The cohorts as `partner_people_filter` states them: of programmes whose office
    # linked one of the organisations.
    sql = f"""
    WITH mine AS MATERIALIZED (
        SELECT r.id, r.state, r.attendance, r.event_id, e.starts_at, u.name,
               p.user_id, p.organisation_id
          FROM {Participation._meta.db_table} p
          JOIN {Reg._meta.db_table} r ON r.participation_id = p.id
          JOIN {Event._meta.db_table} e ON e.id = r.event_id
          JOIN {User._meta.db_table} u ON u.id = p.user_id
         WHERE p.organisation_id IN ({marks})
           AND p.cohort_id IN (
               SELECT k.id FROM {Cohort._meta.db_table} k
                 JOIN {Programme._meta.db_table} g ON g.id = k.programme_id
                WHERE g.organisation_id IN (
                      SELECT l.office_organisation_id FROM {PartnerLink._meta.db_table} l
                       WHERE l.partner_id IN ({marks})))
           AND r.state IN ({live}))
    SELECT m.id, m.state, m.attendance, e.title, e.state, e.starts_at, e.ends_at, c.title,
           u.name, u.email, o.name, (SELECT COUNT(*) FROM mine)
      FROM (SELECT * FROM mine
             ORDER BY starts_at, event_id, name, id
             LIMIT %s OFFSET %s) m
      JOIN {Event._meta.db_table} e ON e.id = m.event_id
      JOIN {Cohort._meta.db_table} c ON c.id = e.cohort_id
      JOIN {User._meta.db_table} u ON u.id = m.user_id
      JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id
     ORDER BY m.starts_at, m.event_id, m.name, m.id"""  # noqa: S608
    params = [*organisations, *organisations, *(str(state) for state in LIVE), limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        return [], None
    rows = [
        PartnerRegistrationRow(*row[:5], _datetime(row[5]), _datetime(row[6]), *row[7:11])
        for row in found
    ]
    return rows, found[0][11]


def _datetime(value):
    """A date and time of a written query as the ORM gives it: SQLite answers without a
    time zone (in UTC), as text where its column type is not declared."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def partner_registrations_since(user, since):
    """`partner_registrations` of the events ending after `since`, each with its event and
    person only (for the partner's home; one query). With the scope of
    `partner_registrations` (the cohorts a subquery) PostgreSQL walks the coming events in
    the order of their start until ten rows are found: 1 ms at N = 50, where joining
    every live registration to the partner's people took 4."""
    scope = partner_people_filter(user, prefix="participation__")
    if scope is None:
        return Reg.objects.none()
    return (
        Reg.objects.filter(scope, state__in=LIVE, event__ends_at__gt=since)
        .select_related("event", "participation__user")
        .only(
            "state",
            "event__title",
            "event__starts_at",
            "participation__user__name",
            "participation__user__email",
        )
        .order_by("event__starts_at", "event_id", "participation__user__name", "id")
    )


# A registration of `partner_registrations_since_rows`: what the partner's home shows.
PartnerComingRow = namedtuple("PartnerComingRow", "state title starts_at name email")


def partner_registrations_since_rows(user, since, limit):
    """The first `limit` of `partner_registrations_since(user, since)` as
    `PartnerComingRow`s (one query).

    On PostgreSQL a written query walks the events ending after `since` in the order of
    their start until `limit` of the organisations' people's live registrations are
    found: for each event the organisations' people of its cohort (the (cohort,
    organisation) index) and their registration for it (the (event, participation) key),
    not each registration of the event with its person (a person registers only for
    their own cohort's events: companion.services checks it; at N = 50 the walk read
    390 registrations and people for 17 rows). With the ORM's query PostgreSQL kept one
    plan for any
    organisation after five requests, and that plan started from all of the
    organisation's people and their registrations (570 at N = 50) and sorted them:
    LATERAL keeps the walk. The walk starts at the earliest start of these events
    (`event_end_idx`), not past all the events before. Other databases read the ORM's
    query."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return [
            PartnerComingRow(
                r.state,
                r.event.title,
                r.event.starts_at,
                r.participation.user.name,
                r.participation.user.email,
            )
            for r in partner_registrations_since(user, since)[:limit]
        ]
    from cohorts.selectors import linked_cohorts_sql
    from pioneer.models import User

    organisations = list(partner_organisation_ids(user))
    if not organisations:
        return []
    marks = ", ".join(["%s"] * len(organisations))
    live = ", ".join(["%s"] * len(LIVE))
    sql = f"""
    SELECT x.state, e.title, e.starts_at, u.name, u.email
      FROM {Event._meta.db_table} e
     CROSS JOIN LATERAL (
           SELECT r.id, r.state, p.user_id
             FROM {Participation._meta.db_table} p
            CROSS JOIN LATERAL (
                  SELECT r.id, r.state FROM {Reg._meta.db_table} r
                   WHERE r.event_id = e.id AND r.participation_id = p.id
                     AND r.state IN ({live})
                  OFFSET 0) r
            WHERE p.cohort_id = e.cohort_id AND p.organisation_id IN ({marks})
           OFFSET 0) x
      JOIN {User._meta.db_table} u ON u.id = x.user_id
     WHERE e.ends_at > (SELECT %s::timestamptz)
       AND e.starts_at >= (SELECT MIN(s.starts_at) FROM (
                            SELECT m.starts_at FROM {Event._meta.db_table} m
                             WHERE m.ends_at > %s OFFSET 0) s)
       AND e.cohort_id IN ({linked_cohorts_sql(marks)})
     ORDER BY e.starts_at, e.id, u.name, x.id
     LIMIT {int(limit)}"""  # noqa: S608
    params = [*(str(state) for state in LIVE), *organisations, since, since, *organisations]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [PartnerComingRow(*row) for row in cursor.fetchall()]


def events_visible_to(user):
    """Every event the person may open: the office's, and a participant's own cohorts'.
    Partner contacts see their people's registrations as a list, not the event pages."""
    office = Q(cohort__in=cohorts_for(user))
    participant = Q(cohort_id__in=_live_participations(user).values("cohort_id"))
    return Event.objects.filter(office | participant).select_related(
        "cohort__programme", "series", "host_organisation"
    )


def _visible_event(event, user, **organisations):
    office = Q(
        cohort__in=Cohort.objects.filter(
            programme__organisation_id__in=list(organisations.values())
        )
    )
    participant = Q(cohort_id__in=_live_participations(user).values("cohort_id"))
    return with_counts(Event.objects.filter(office | participant).filter(pk=event))


def visible_event_or_404(user, pk):
    """`with_counts(events_visible_to(user)).get(pk=pk)` with what it joins, else Http404
    (someone else's event answers as one that does not exist): by SQL compiled once per
    process and number of the user's office's organisations (pioneer.compiled)."""
    organisations = sorted(office_organisation_ids(user))
    return compiled.one_or_404(
        f"companion.visible_event.{len(organisations)}",
        _visible_event,
        related=("cohort", "cohort__programme", "series", "host_organisation"),
        event=pk,
        user=user.pk,
        **{f"organisation{index}": org for index, org in enumerate(organisations)},
    )


def live_cohort_ids(user):
    """The cohorts the person takes part in and has not left (a set of ids; one query,
    its SQL compiled once per process)."""
    return {
        row["cohort_id"]
        for row in compiled.values(
            "companion.live_cohorts",
            lambda user: _live_participations(user).values("cohort_id"),
            user=user.pk,
        )
    }


def _own_live_registrations(user):
    return Reg.objects.filter(participation__user=user, state__in=LIVE)


def dated_registrations(user, *, start=None, end=None):
    """The person's own live registrations (registered or waiting) with their events,
    cancelled events included, for the calendar feed and timeline (one query; all of
    them, as My tandem and the feed ask, by SQL compiled once per process)."""
    if start is None and end is None:
        return compiled.objects(
            "companion.dated_registrations",
            lambda user: _own_live_registrations(user).order_by("event__starts_at", "event_id"),
            related=("event",),
            user=getattr(user, "pk", user),
        )
    registrations = _own_live_registrations(user)
    if start:
        registrations = registrations.filter(event__ends_at__gte=start)
    if end:
        registrations = registrations.filter(event__starts_at__lte=end)
    return registrations.select_related("event").order_by("event__starts_at", "event_id")
