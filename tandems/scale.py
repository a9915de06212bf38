"""The tandems app's part of the scale world (`seed_demo --scale N`, see pioneer.scale).

Every running cohort of the scale world gets its tandems: its people who are not withdrawn
are paired administration side with external side (never two of one organisation), each
tandem with its two phases (dates from the cohort, as the services make them) and its
seven milestones, those before today done. The state follows the dates: in phase 1 or 2,
completed once both are over. The big open cohort keeps its people unmatched (the
matching's own measurement in `make bench` reads it).
"""

from datetime import datetime, time

from django.utils import timezone

from cohorts.models import Cohort, Participation
from pioneer.scale import bulk
from tandems.models import HospitationPhase, Milestone, Tandem
from tandems.services import AGREEMENT_BEFORE, FINAL_REFLECTION_AFTER, default_phase_dates


def _state(today, first, second):
    if today > second[1]:
        return Tandem.State.COMPLETED
    if today >= second[0]:
        return Tandem.State.PHASE_2
    if today >= first[0]:
        return Tandem.State.PHASE_1
    return Tandem.State.AGREED


def build(world):
    today = world.now.date()
    cohorts = list(
        Cohort.objects.filter(state=Cohort.State.RUNNING, programme__format="tandem")
        .exclude(pk__in=[world.demo[k].pk for k in world.demo if k.startswith("cohort:")])
        .exclude(start_date__isnull=True)
        .exclude(end_date__isnull=True)
        .select_related("programme")
    )
    people = {}
    for p in (
        Participation.objects.filter(cohort__in=cohorts)
        .exclude(state=Participation.State.WITHDRAWN)
        .order_by("pk")
    ):
        people.setdefault(p.cohort_id, {"administration": [], "external": []})[p.side].append(p)
    tandems, plans = [], []
    for cohort in cohorts:
        sides = people.get(cohort.pk)
        if not sides:
            continue
        externals = list(sides["external"])
        first, second = default_phase_dates(cohort)
        confirmed = timezone.make_aware(datetime.combine(first[0] - AGREEMENT_BEFORE, time(10)))
        for a in sides["administration"]:
            b = next((e for e in externals if e.organisation_id != a.organisation_id), None)
            if b is None:
                continue
            externals.remove(b)
            tandems.append(
                Tandem(
                    cohort=cohort,
                    administration=a,
                    external=b,
                    topic=world.topics().split(", ")[0],
                    state=_state(today, first, second),
                    administration_confirmed_at=confirmed,
                    external_confirmed_at=confirmed,
                )
            )
            plans.append((a, b, first, second))
    tandems = bulk(Tandem, tandems)
    phases, milestones = [], []
    now = world.now
    for tandem, (a, b, first, second) in zip(tandems, plans, strict=True):
        for number, guest, host, (start, end) in ((1, a, b, first), (2, b, a, second)):
            phases.append(
                HospitationPhase(
                    tandem=tandem,
                    number=number,
                    guest=guest,
                    host_organisation_id=host.organisation_id,
                    start=start,
                    end=end,
                )
            )
        due = {
            Milestone.Kind.KICK_OFF: first[0],
            Milestone.Kind.AGREEMENT: first[0] - AGREEMENT_BEFORE,
            Milestone.Kind.PHASE_1_START: first[0],
            Milestone.Kind.MID_REFLECTION: first[0] + (second[1] - first[0]) / 2,
            Milestone.Kind.PHASE_SWITCH: second[0],
            Milestone.Kind.PHASE_2_END: second[1],
            Milestone.Kind.FINAL_REFLECTION: second[1] + FINAL_REFLECTION_AFTER,
        }
        milestones += [
            Milestone(tandem=tandem, kind=kind, due_date=day, done_at=now if day < today else None)
            for kind, day in due.items()
        ]
    bulk(HospitationPhase, phases)
    bulk(Milestone, milestones)
    world.add("tandems", len(tandems))
    world.add("hospitation phases", len(phases))
    world.add("milestones", len(milestones))
