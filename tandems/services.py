"""Writes of the tandems app: keyword-only functions named <entity>_<verb>, atomic, with the
actor as `by` (`pioneer.access.SYSTEM` for work without a person). A refusal raises a
translated `ValidationError` and changes nothing; the views show its message.

The services own the rules of a tandem:
- two people of the same cohort of a programme with tandems, one of each side, never of
  the same organisation, neither withdrawn nor in another live tandem;
- two mirrored phases: in one the administration partner is the guest at the external
  partner's organisation, in the other the reverse; their dates lie inside the cohort, do
  not overlap, last at least `MIN_PHASE_DAYS`, and nobody is hosted by their own
  organisation;
- proposed → agreed when both partners confirmed; agreed → phase 1 → phase 2 → completed
  as the dates pass (`tandems_advance`, run by the periodic signal); ended early with a
  reason at any time before completion, also when a partner withdraws.
Reminders of the phases and milestones go through the notification ledger
(tandems.reminders): scheduled with the milestones, moved with the dates, taken back when
a tandem ends early.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts import figures
from cohorts.models import Cohort, Participation
from pioneer.access import SYSTEM, actor, check_own_office
from tandems import agreements, reminders
from tandems.models import HospitationPhase, MatchPreference, Milestone, Tandem

State = Tandem.State
# Shorter than four weeks is no hospitation.
MIN_PHASE_DAYS = 28
# The agreement should be confirmed two weeks before the first phase; the final
# reflection comes two weeks after the last.
AGREEMENT_BEFORE = timedelta(days=14)
FINAL_REFLECTION_AFTER = timedelta(days=14)


def _months_later(day, months):
    """The same day `months` later, or the month's last day when it has fewer days."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def default_phase_dates(cohort):
    """((start 1, end 1), (start 2, end 2)) from the cohort's start and the programme's
    phase length; the second phase ends at the cohort's end at the latest."""
    if not cohort.start_date or not cohort.end_date:
        raise ValidationError(
            _("Set the cohort's start and end first; the phases' dates come from them.")
        )
    months = cohort.programme.default_phase_months or 3
    start_1 = cohort.start_date
    start_2 = _months_later(start_1, months)
    end_1 = start_2 - timedelta(days=1)
    end_2 = min(_months_later(start_2, months) - timedelta(days=1), cohort.end_date)
    return (start_1, end_1), (start_2, end_2)


def phase_date_problems(cohort, first, second):
    """What is wrong with the two phases' dates ([] when nothing): each a (start, end)."""
    problems = []
    for number, (start, end) in ((1, first), (2, second)):
        label = {"number": number}
        if not start or not end:
            problems.append(_("Phase %(number)s needs a start and an end.") % label)
            continue
        if end <= start:
            problems.append(_("Phase %(number)s must end after it starts.") % label)
        elif (end - start).days + 1 < MIN_PHASE_DAYS:
            problems.append(
                _("Phase %(number)s must last at least %(days)s days.")
                % {"number": number, "days": MIN_PHASE_DAYS}
            )
        if cohort.start_date and start < cohort.start_date:
            problems.append(
                _("Phase %(number)s starts before the cohort (%(date)s).")
                % {"number": number, "date": cohort.start_date.isoformat()}
            )
        if cohort.end_date and end > cohort.end_date:
            problems.append(
                _("Phase %(number)s ends after the cohort (%(date)s).")
                % {"number": number, "date": cohort.end_date.isoformat()}
            )
    if all(first) and all(second) and second[0] <= first[1]:
        problems.append(_("Phase 2 must start after phase 1 has ended; they may not overlap."))
    return problems


def pair_problems(administration, external):
    """Why these two cannot form a tandem ([] when they can); no queries beyond the
    participations' own organisation and cohort."""
    problems = []
    if administration.cohort_id != external.cohort_id:
        problems.append(_("Both people must take part in the same cohort."))
    if administration.side == external.side:
        problems.append(
            _("A tandem needs one person of the administration and one external expert.")
        )
    if administration.organisation_id == external.organisation_id:
        problems.append(_("Both people work for the same organisation; nobody hospitates there."))
    for person in (administration, external):
        if person.state == Participation.State.WITHDRAWN:
            problems.append(_("%(name)s has withdrawn.") % {"name": person.user})
    return problems


def _check_office(by, cohort):
    check_own_office(by, cohort.programme.organisation, field="__all__")


def _ordered(first, second):
    """(administration, external) whichever order they came in."""
    if first.side == Participation.Side.EXTERNAL and second.side != first.side:
        return second, first
    return first, second


@transaction.atomic
def tandem_create(*, first, second, by, topic="", administration_first=True):
    """Pair two people of a cohort as a proposed tandem with its two phases (dates from
    the cohort and the programme's phase length) and its milestones.

    Guards: `by`'s office runs the cohort; the programme has tandems; the cohort is not
    closed; `pair_problems`; neither is in a live tandem. `administration_first`: in
    phase 1 the administration partner is the guest at the external partner's
    organisation (False: the reverse). No e-mails.
    """
    administration, external = _ordered(first, second)
    cohort = Cohort.objects.select_related("programme").get(pk=administration.cohort_id)
    _check_office(by, cohort)
    if not cohort.programme.has_tandems:
        raise ValidationError(_("This programme has no tandems."))
    if cohort.state in (Cohort.State.EVALUATION, Cohort.State.CLOSED):
        raise ValidationError(_("The cohort is over; no tandems can be formed in it."))
    problems = pair_problems(administration, external)
    if problems:
        raise ValidationError(problems)
    # Lock both people: two colleagues pairing the same person at once form one tandem.
    list(Participation.objects.select_for_update().filter(pk__in=[administration.pk, external.pk]))
    pair = [administration, external]
    busy = Tandem.objects.filter(state__in=Tandem.LIVE).filter(
        Q(administration__in=pair) | Q(external__in=pair)
    )
    if busy.exists():
        raise ValidationError(_("One of the two is in a tandem already."))
    first_dates, second_dates = default_phase_dates(cohort)
    problems = phase_date_problems(cohort, first_dates, second_dates)
    if problems:
        raise ValidationError(problems)
    tandem = Tandem(
        cohort=cohort,
        administration=administration,
        external=external,
        topic=topic.strip(),
        created_by=actor(by),
    )
    tandem._history_user = actor(by)
    try:
        with transaction.atomic():
            tandem.save()
    except IntegrityError:
        raise ValidationError(_("One of the two is in a tandem already.")) from None
    guests = (administration, external) if administration_first else (external, administration)
    for number, guest, (start, end) in zip(
        (1, 2), guests, (first_dates, second_dates), strict=True
    ):
        host = external if guest is administration else administration
        HospitationPhase.objects.create(
            tandem=tandem,
            number=number,
            guest=guest,
            host_organisation=host.organisation,
            start=start,
            end=end,
        )
    milestones_make(tandem=tandem)
    return tandem


def _phases(tandem):
    phases = {p.number: p for p in HospitationPhase.objects.filter(tandem=tandem)}
    return phases[1], phases[2]


def milestones_make(*, tandem):
    """Create or move the tandem's milestones to its phases' dates; done marks stay.
    Side effect: the tandem's reminders follow the dates (tandems.reminders)."""
    first, second = _phases(tandem)
    cohort_start = tandem.cohort.start_date or first.start
    middle = first.start + (second.end - first.start) / 2
    due = {
        Milestone.Kind.KICK_OFF: min(cohort_start, first.start),
        Milestone.Kind.AGREEMENT: first.start - AGREEMENT_BEFORE,
        Milestone.Kind.PHASE_1_START: first.start,
        Milestone.Kind.MID_REFLECTION: middle,
        Milestone.Kind.PHASE_SWITCH: second.start,
        Milestone.Kind.PHASE_2_END: second.end,
        Milestone.Kind.FINAL_REFLECTION: second.end + FINAL_REFLECTION_AFTER,
    }
    existing = {m.kind: m for m in Milestone.objects.filter(tandem=tandem)}
    for kind, day in due.items():
        milestone = existing.get(kind)
        if milestone is None:
            Milestone.objects.create(tandem=tandem, kind=kind, due_date=day)
        elif milestone.due_date != day:
            milestone.due_date = day
            milestone.sequence += 1
            milestone.save(update_fields=["due_date", "sequence"])
    reminders.reminders_reschedule(tandem=tandem)


def _locked(tandem):
    return (
        Tandem.objects.select_for_update()
        .select_related("cohort__programme", "administration__user", "external__user")
        .get(pk=tandem.pk)
    )


@transaction.atomic
def tandem_confirm(*, tandem, by, now=None):
    """One partner confirms the proposed tandem; when both have, it is agreed. Only the
    two partners themselves can confirm; a second confirmation changes nothing."""
    tandem = _locked(tandem)
    if by is SYSTEM or by.pk not in (tandem.administration.user_id, tandem.external.user_id):
        raise ValidationError(_("Only the two partners can confirm their tandem."))
    if tandem.state != State.PROPOSED:
        raise ValidationError(_("This tandem is no longer waiting for confirmation."))
    now = now or timezone.now()
    if by.pk == tandem.administration.user_id and not tandem.administration_confirmed_at:
        tandem.administration_confirmed_at = now
    if by.pk == tandem.external.user_id and not tandem.external_confirmed_at:
        tandem.external_confirmed_at = now
    if tandem.administration_confirmed_at and tandem.external_confirmed_at:
        tandem.state = State.AGREED
    tandem._history_user = by
    tandem.save(update_fields=["administration_confirmed_at", "external_confirmed_at", "state"])
    if tandem.state == State.AGREED:
        # Agreed: the parties of both phases' agreements are invited to confirm them.
        for phase in HospitationPhase.objects.filter(tandem=tandem):
            agreements.agreement_invite(phase=phase, by=by, check=False)
    return tandem


@transaction.atomic
def tandem_end_early(*, tandem, reason, by, now=None):
    """End the tandem before its time, with a reason (a partner withdrew, a conflict, ...).
    Both people become free for another tandem; their pending reminders are taken back.
    Refused for a completed or ended one."""
    tandem = _locked(tandem)
    if by is not SYSTEM:
        _check_office(by, tandem.cohort)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the early end.")})
    if tandem.state in (State.COMPLETED, State.ENDED_EARLY):
        raise ValidationError(_("This tandem has ended already."))
    tandem.state = State.ENDED_EARLY
    tandem.ended_reason = reason
    tandem.ended_at = now or timezone.now()
    tandem._history_user = actor(by)
    tandem.save(update_fields=["state", "ended_reason", "ended_at"])
    # Calendars mark what no longer happens as cancelled (a higher sequence).
    HospitationPhase.objects.filter(tandem=tandem).update(sequence=F("sequence") + 1)
    Milestone.objects.filter(tandem=tandem).update(sequence=F("sequence") + 1)
    reminders.reminders_unschedule(tandem=tandem)
    return tandem


def _check_editable(tandem):
    if tandem.state in (State.COMPLETED, State.ENDED_EARLY):
        raise ValidationError(_("This tandem has ended; its dates stay as they were."))


@transaction.atomic
def tandem_set_dates(*, tandem, first_start, first_end, second_start, second_end, by):
    """Change both phases' dates under the same rules as when they were made, and move
    the milestones with them. A phase that has begun keeps its start."""
    tandem = _locked(tandem)
    _check_office(by, tandem.cohort)
    _check_editable(tandem)
    first, second = _phases(tandem)
    today = timezone.localdate()
    problems = phase_date_problems(
        tandem.cohort, (first_start, first_end), (second_start, second_end)
    )
    for phase, start in ((first, first_start), (second, second_start)):
        if phase.start <= today and start != phase.start and tandem.state != State.PROPOSED:
            problems.append(
                _("Phase %(number)s has begun; its start stays %(date)s.")
                % {"number": phase.number, "date": phase.start.isoformat()}
            )
    if problems:
        raise ValidationError(problems)
    for phase, start, end in ((first, first_start, first_end), (second, second_start, second_end)):
        if (phase.start, phase.end) == (start, end):
            continue
        phase.start, phase.end = start, end
        phase.sequence += 1
        phase._history_user = actor(by)
        phase.save(update_fields=["start", "end", "sequence"])
        # Other dates than those confirmed: the agreement needs new confirmations.
        agreements.phase_changed(phase=phase, by=by)
    milestones_make(tandem=tandem)
    return tandem


@transaction.atomic
def tandem_swap_order(*, tandem, by):
    """Swap who hospitates first: the guests and hosts of the two phases change places,
    the dates stay. Only before the first phase has begun."""
    tandem = _locked(tandem)
    _check_office(by, tandem.cohort)
    if tandem.state not in (State.PROPOSED, State.AGREED):
        raise ValidationError(_("The first phase has begun; the order stays as it is."))
    first, second = _phases(tandem)
    first.guest_id, second.guest_id = second.guest_id, first.guest_id
    first.host_organisation_id, second.host_organisation_id = (
        second.host_organisation_id,
        first.host_organisation_id,
    )
    # The host contacts belong to the host organisation: they move with it.
    for a, b in ((first, second),):
        a.host_contact_id, b.host_contact_id = b.host_contact_id, a.host_contact_id
        a.host_contact_name, b.host_contact_name = b.host_contact_name, a.host_contact_name
        a.host_contact_email, b.host_contact_email = b.host_contact_email, a.host_contact_email
        # So do the representatives of the sending organisation (the guest's).
        a.sender_contact_id, b.sender_contact_id = b.sender_contact_id, a.sender_contact_id
        a.sender_contact_name, b.sender_contact_name = b.sender_contact_name, a.sender_contact_name
        a.sender_contact_email, b.sender_contact_email = (
            b.sender_contact_email,
            a.sender_contact_email,
        )
    for phase in (first, second):
        phase.sequence += 1
        phase._history_user = actor(by)
        phase.save()
        # Guest and host changed places: both agreements are new ones.
        agreements.phase_changed(phase=phase, by=by)
    return tandem


@transaction.atomic
def tandems_advance(*, today=None):
    """Move tandems along as their dates pass: agreed → phase 1 on the first phase's
    start, → phase 2 on the second's, → completed after its end; the milestones of those
    days are marked done. Safe to run twice and at any moment (the periodic signal runs
    it). Returns how many tandems moved."""
    today = today or timezone.localdate()
    moved = 0
    steps = (
        (State.PHASE_2, State.COMPLETED, 2, "end", Milestone.Kind.PHASE_2_END),
        (State.PHASE_1, State.PHASE_2, 2, "start", Milestone.Kind.PHASE_SWITCH),
        (State.AGREED, State.PHASE_1, 1, "start", Milestone.Kind.PHASE_1_START),
    )
    now = timezone.now()
    for from_state, to_state, number, field, milestone in steps:
        if field == "end":
            due = {"phases__number": number, "phases__end__lt": today}
        else:
            due = {"phases__number": number, "phases__start__lte": today}
        due_tandems = Tandem.objects.select_for_update(skip_locked=True).filter(
            state=from_state, **due
        )
        if field == "start":
            # Nobody starts a phase without its agreement: all three parties confirmed
            # (or the office recorded a paper signature; tandems.agreements).
            due_tandems = due_tandems.filter(pk__in=agreements.tandems_with_agreement(number))
        ids = list(due_tandems.values_list("pk", flat=True))
        if not ids:
            continue
        moved += Tandem.objects.filter(pk__in=ids, state=from_state).update(state=to_state)
        figures.changed()  # the counts by state the cohort's overview keeps
        Milestone.objects.filter(tandem_id__in=ids, kind=milestone, done_at__isnull=True).update(
            done_at=now, sequence=F("sequence") + 1
        )
    return moved


@transaction.atomic
def milestone_set_done(*, milestone, done, by, now=None):
    """Mark a milestone done (or not done again)."""
    tandem = milestone.tandem
    _check_office(by, tandem.cohort)
    if (milestone.done_at is not None) != done:
        milestone.done_at = (now or timezone.now()) if done else None
        milestone.sequence += 1
        milestone.save(update_fields=["done_at", "sequence"])
    # A milestone marked done needs no reminder; marked open again, it gets one.
    reminders.reminders_reschedule(tandem=tandem)
    return milestone


@transaction.atomic
def tandems_end_for_withdrawal(*, participation, by):
    """A partner withdrew: their live tandems that have not completed end early, with
    the withdrawal as the reason (the cohorts app's participation_state_changed)."""
    reason = _("%(name)s withdrew from the cohort: %(reason)s") % {
        "name": participation.user,
        "reason": participation.withdrawn_reason or "–",
    }
    ended = []
    open_states = [s for s in Tandem.LIVE if s != State.COMPLETED]
    for tandem in Tandem.objects.filter(state__in=open_states).filter(
        Q(administration=participation) | Q(external=participation)
    ):
        ended.append(tandem_end_early(tandem=tandem, reason=reason, by=SYSTEM))
    return ended


@transaction.atomic
def preference_set(*, participation, other, kind, by):
    """A participant states whom they would like, or not like, to be paired with
    (kind "like", "dislike", or "" to take the statement back). Only about someone of
    the other side of the same cohort, and only for themselves."""
    if by is SYSTEM or participation.user_id != by.pk:
        raise ValidationError(_("You can state preferences only for yourself."))
    if other.cohort_id != participation.cohort_id or other.side == participation.side:
        raise ValidationError(
            _("Preferences are about people of the other side in the same cohort.")
        )
    if not kind:
        MatchPreference.objects.filter(participation=participation, other=other).delete()
        return None
    if kind not in MatchPreference.Kind.values:
        raise ValidationError(_("Choose whether you would like to be paired or not."))
    preference, _created = MatchPreference.objects.update_or_create(
        participation=participation, other=other, defaults={"kind": kind}
    )
    return preference
