"""The companion app's part of the scale world (`seed_demo --scale N`, see pioneer.scale).

Every scale cohort that has people gets an event plan of six (the big cohort ten), each
with room for 15; its people register for every other event, those beyond the places
join the waiting list, and attendance is recorded for past events. All in bulk inserts:
about 1,200 events and 6,000 registrations at N = 50 (the big cohort: 10 events with
1,000 people, so its planner and attendance lists are long).
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from cohorts.models import Participation
from companion.models import Event, EventRegistration
from pioneer.scale import bulk

KINDS = [
    Event.Kind.KICK_OFF,
    Event.Kind.WORKSHOP,
    Event.Kind.REFLECTION,
    Event.Kind.CASE_CONSULTATION,
    Event.Kind.ONLINE_REFLECTION,
    Event.Kind.NETWORKING,
    Event.Kind.KEYNOTE,
    Event.Kind.STATION,
    Event.Kind.STATION,
    Event.Kind.CLOSING,
]
CAPACITY = 15


def build(world):
    big = world.extra.get("big_cohort")
    people = {}
    for participation in (
        Participation.objects.filter(user__in=world.people)
        .exclude(state=Participation.State.WITHDRAWN)
        .select_related("cohort")
        .order_by("pk")
    ):
        people.setdefault(participation.cohort, []).append(participation)
    now = world.now or timezone.now()
    events = []
    for cohort in people:
        count = 10 if big is not None and cohort.pk == big.pk else 6
        start = cohort.start_date or (now.date() + timedelta(days=30))
        for k in range(count):
            day = start + timedelta(days=14 * k + 3)
            starts_at = timezone.make_aware(datetime.combine(day, time(10)))
            events.append(
                Event(
                    cohort=cohort,
                    kind=KINDS[k % len(KINDS)],
                    title=f"{KINDS[k % len(KINDS)].label} {k + 1}",
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=4),
                    format=Event.Format.ONLINE if k % 3 == 2 else Event.Format.IN_PERSON,
                    venue="" if k % 3 == 2 else "Potsdam",
                    capacity=CAPACITY,
                )
            )
    events = bulk(Event, events)
    by_cohort = {}
    for event in events:
        by_cohort.setdefault(event.cohort_id, []).append(event)
    registrations = []
    for cohort, participations in people.items():
        for index, event in enumerate(by_cohort.get(cohort.pk, [])):
            past = event.ends_at <= now
            waiting = 0
            for number, participation in enumerate(participations[index % 2 :: 2]):
                if number < CAPACITY:
                    attendance = EventRegistration.Attendance.UNKNOWN
                    if past:
                        attendance = (
                            EventRegistration.Attendance.NO_SHOW
                            if number % 7 == 3
                            else EventRegistration.Attendance.ATTENDED
                        )
                    registrations.append(
                        EventRegistration(
                            event=event,
                            participation=participation,
                            attendance=attendance,
                            checked_in_at=event.starts_at
                            if attendance == EventRegistration.Attendance.ATTENDED
                            else None,
                        )
                    )
                elif not past and waiting < 5:
                    waiting += 1
                    registrations.append(
                        EventRegistration(
                            event=event,
                            participation=participation,
                            state=EventRegistration.State.WAITING,
                            waiting_position=waiting,
                        )
                    )
    bulk(EventRegistration, registrations)
    world.add("events", len(events))
    world.add("event registrations", len(registrations))
