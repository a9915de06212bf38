"""The tandems app's part of the scale world (`seed_demo --scale N`, see pioneer.scale).

Every running cohort of the scale world gets its tandems: its people who are not withdrawn
are paired administration side with external side (never two of one organisation), each
tandem with its two phases (dates from the cohort, as the services make them) and its
seven milestones, those before today done. The states are spread over every state a
tandem can be in, in fixed proportions (`MIX`), so that the board, a tandem's page and a
participant's timeline are measured with each of them; most scale cohorts lie in the
past, where dates alone would make every tandem completed. A quarter of the big open
cohort's people are paired as proposed or agreed tandems (its board grows with N); the
rest stay unmatched for the matching page and its measurement in `make bench`.
"""

from datetime import datetime, time

from django.utils import timezone

from cohorts.models import Cohort, Participation
from pioneer.scale import bulk
from tandems.models import HospitationPhase, Milestone, Tandem
from tandems.services import AGREEMENT_BEFORE, FINAL_REFLECTION_AFTER, default_phase_dates

# One tandem in ten of each state's share: proposed, agreed, in phase 1, in phase 2,
# completed, ended early.
MIX = (
    Tandem.State.PROPOSED,
    Tandem.State.AGREED,
    Tandem.State.PHASE_1,
    Tandem.State.PHASE_1,
    Tandem.State.PHASE_2,
    Tandem.State.PHASE_2,
    Tandem.State.PHASE_2,
    Tandem.State.COMPLETED,
    Tandem.State.COMPLETED,
    Tandem.State.ENDED_EARLY,
)
# Of the big open cohort's pairs, this share becomes tandems (proposed or agreed).
BIG_SHARE = 4


def _pairs(sides):
    """Administration with external people, never two of one organisation."""
    externals = list(sides["external"])
    for a in sides["administration"]:
        b = next((e for e in externals if e.organisation_id != a.organisation_id), None)
        if b is None:
            continue
        externals.remove(b)
        yield a, b


def build(world):
    from cohorts.scale import BIG_COHORT_SLUG

    demo_cohorts = [world.demo[k].pk for k in world.demo if k.startswith("cohort:")]
    tandem_cohorts = Cohort.objects.filter(programme__format="tandem").exclude(pk__in=demo_cohorts)
    running = list(
        tandem_cohorts.filter(state=Cohort.State.RUNNING)
        .exclude(start_date__isnull=True)
        .exclude(end_date__isnull=True)
        .select_related("programme")
    )
    big = list(
        tandem_cohorts.filter(slug=BIG_COHORT_SLUG, programme__slug="pioneer4bb")
        .exclude(start_date__isnull=True)
        .select_related("programme")
    )
    cohorts = running + big
    people = {}
    for p in (
        Participation.objects.filter(cohort__in=cohorts)
        .exclude(state=Participation.State.WITHDRAWN)
        .order_by("pk")
    ):
        people.setdefault(p.cohort_id, {"administration": [], "external": []})[p.side].append(p)
    tandems, plans = [], []
    index = 0
    for cohort in cohorts:
        sides = people.get(cohort.pk)
        if not sides:
            continue
        pairs = list(_pairs(sides))
        is_big = cohort in big
        if is_big:
            pairs = pairs[: len(pairs) // BIG_SHARE]
        first, second = default_phase_dates(cohort)
        confirmed = timezone.make_aware(datetime.combine(first[0] - AGREEMENT_BEFORE, time(10)))
        for a, b in pairs:
            state = MIX[index % 2] if is_big else MIX[index % len(MIX)]
            index += 1
            agreed = state != Tandem.State.PROPOSED
            tandems.append(
                Tandem(
                    cohort=cohort,
                    administration=a,
                    external=b,
                    topic=world.topics().split(", ")[0],
                    state=state,
                    administration_confirmed_at=confirmed if agreed else None,
                    external_confirmed_at=confirmed if agreed else None,
                    ended_reason="Wechsel der Stelle" if state == Tandem.State.ENDED_EARLY else "",
                    ended_at=world.now if state == Tandem.State.ENDED_EARLY else None,
                )
            )
            plans.append((a, b, first, second))
    tandems = bulk(Tandem, tandems)
    today = world.now.date()
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
