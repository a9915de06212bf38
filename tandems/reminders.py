"""Reminders of a tandem's dates, through the notification ledger (pioneer.services):
a week before each phase starts and a week before it ends (to both partners, about the
phase), and on the morning a milestone of their own is due (kick-off, agreement,
mid-point and final reflection; the phases' own milestones have the phase reminders).

The ledger's key (kind, object, recipient, due date) sends each at most once, and the
beat task's dispatcher sends them when due. When dates change, `reminders_reschedule`
takes back the pending ones (`notification_unschedule`) and schedules them anew for the
new dates; what was sent stays sent. A tandem that ended early has none pending.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from pioneer.services import notification_schedule, notification_unschedule
from tandems.models import HospitationPhase, Milestone, Tandem

PHASE_STARTS = "tandems.phase_starts"
PHASE_ENDS = "tandems.phase_ends"
MILESTONE_DUE = "tandems.milestone_due"
PHASE_KINDS = (PHASE_STARTS, PHASE_ENDS)
# A week's notice before a phase starts or ends: time to arrange the move.
PHASE_NOTICE = timedelta(days=7)
# Reminders arrive at the start of a working day, local time.
MORNING = time(8)
REMINDED_MILESTONES = (
    Milestone.Kind.KICK_OFF,
    Milestone.Kind.AGREEMENT,
    Milestone.Kind.MID_REFLECTION,
    Milestone.Kind.FINAL_REFLECTION,
)


def _morning(day):
    return timezone.make_aware(datetime.combine(day, MORNING))


def reminders_unschedule(*, tandem):
    """Take back the tandem's pending reminders. Returns how many."""
    phase_ids = list(HospitationPhase.objects.filter(tandem=tandem).values_list("pk", flat=True))
    milestone_ids = list(Milestone.objects.filter(tandem=tandem).values_list("pk", flat=True))
    return notification_unschedule(
        kinds=PHASE_KINDS, model=HospitationPhase, object_ids=phase_ids
    ) + notification_unschedule(kinds=[MILESTONE_DUE], model=Milestone, object_ids=milestone_ids)


def reminders_reschedule(*, tandem, now=None):
    """The tandem's reminders for its dates as they are now: pending ones are taken back
    and those still ahead are scheduled (none for a tandem that ended early, nor for a
    milestone that is done). Runs inside the caller's transaction. Returns how many rows
    are scheduled."""
    now = now or timezone.now()
    reminders_unschedule(tandem=tandem)
    tandem = Tandem.objects.select_related("administration__user", "external__user").get(
        pk=tandem.pk
    )
    if tandem.state == Tandem.State.ENDED_EARLY:
        return 0
    people = [tandem.administration.user, tandem.external.user]
    planned = []
    for phase in HospitationPhase.objects.filter(tandem=tandem):
        planned.append((PHASE_STARTS, phase, _morning(phase.start - PHASE_NOTICE)))
        planned.append((PHASE_ENDS, phase, _morning(phase.end - PHASE_NOTICE)))
    for milestone in Milestone.objects.filter(
        tandem=tandem, kind__in=REMINDED_MILESTONES, done_at__isnull=True
    ):
        planned.append((MILESTONE_DUE, milestone, _morning(milestone.due_date)))
    count = 0
    for kind, target, due_at in planned:
        if due_at <= now:
            continue
        for person in people:
            notification_schedule(kind=kind, target=target, recipient=person, due_at=due_at)
            count += 1
    return count
