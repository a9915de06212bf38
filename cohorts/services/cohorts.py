"""Writes of cohorts: create, update, the lifecycle (stages, transitions, close guards),
and the next cohort copied from one.

Copying: the cohort's own structure is its dates, interest window and planned number of
tandems. Later apps copy what they own (the companion programme's event plan, the
evaluation's survey set) through the `cohorts.hooks.cohort_copied` signal, which
`cohort_copy_next` sends inside the same transaction: either everything is copied or
nothing. People and registrations are not copied: every cohort recruits anew.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cohorts import hooks
from cohorts.models import Cohort, CohortTransition, InterestRegistration, Participation
from cohorts.services._shared import UNCHANGED, apply_changes, changed_copy, save_unique
from pioneer.access import actor
from pioneer.validators import MAX_DATE, RESERVED_SLUGS, check_date

State = Cohort.State

# The lifecycle: which stage may follow which. Closing early (from any stage before
# evaluation) is allowed only with a reason; see `cohort_transition`.
TRANSITIONS = {
    State.DRAFT: {State.OPEN, State.CLOSED},
    State.OPEN: {State.DRAFT, State.MATCHING, State.CLOSED},
    State.MATCHING: {State.OPEN, State.RUNNING, State.CLOSED},
    State.RUNNING: {State.EVALUATION, State.CLOSED},
    State.EVALUATION: {State.RUNNING, State.CLOSED},
    State.CLOSED: set(),
}
# The usual next step for each stage (the dashboard offers it first).
NEXT_STEP = {
    State.DRAFT: State.OPEN,
    State.OPEN: State.MATCHING,
    State.MATCHING: State.RUNNING,
    State.RUNNING: State.EVALUATION,
    State.EVALUATION: State.CLOSED,
}


def check_cohort(cohort):
    """The rules of a cohort, keyed by field, whoever calls (a form, the copy, a
    command): the end after the start, the interest window closing after it opens and
    before the cohort starts, a running cohort with both dates, and a short name of its
    own within the programme."""
    errors = {}
    start, end = cohort.start_date, cohort.end_date
    opens, closes = cohort.interest_opens, cohort.interest_closes
    if start and end and end <= start:
        errors["end_date"] = _("The end must be after the start.")
    if opens and closes and closes < opens:
        errors["interest_closes"] = _("The interest window must close after it opens.")
    elif closes and start and closes > start:
        errors["interest_closes"] = _("The interest window must close before the cohort starts.")
    if cohort.state in {State.RUNNING, State.EVALUATION} and not (start and end):
        errors["start_date"] = _("A running cohort needs a start and an end date.")
    if (
        cohort.slug
        and Cohort.objects.filter(programme_id=cohort.programme_id, slug=cohort.slug)
        .exclude(pk=cohort.pk)
        .exists()
    ):
        errors["slug"] = _("Another cohort of this programme has this short name.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cohort_create(
    *,
    programme,
    title,
    slug,
    by,
    start_date=None,
    end_date=None,
    interest_opens=None,
    interest_closes=None,
    planned_tandems=0,
    created_from=None,
):
    """Create a cohort in the draft stage (`created_from`: the cohort it was copied
    from). The history records `by`. No side effects."""
    cohort = Cohort(
        programme=programme,
        title=title,
        slug=slug,
        state=State.DRAFT,
        start_date=start_date,
        end_date=end_date,
        interest_opens=interest_opens,
        interest_closes=interest_closes,
        planned_tandems=planned_tandems,
        created_from=created_from,
    )
    check_cohort(cohort)
    cohort.full_clean()
    cohort._history_user = actor(by)
    save_unique(cohort, "slug", _("Another cohort of this programme has this short name."))
    return cohort


@transaction.atomic
def cohort_update(
    *,
    cohort,
    by,
    title=UNCHANGED,
    slug=UNCHANGED,
    start_date=UNCHANGED,
    end_date=UNCHANGED,
    interest_opens=UNCHANGED,
    interest_closes=UNCHANGED,
    planned_tandems=UNCHANGED,
):
    """Change a cohort's title, dates, window and plan; the fields not given keep their
    values, and the stage changes only through `cohort_transition`. A refusal leaves
    `cohort` as it was. The history records `by`. No side effects."""
    changes = {
        "title": title,
        "slug": slug,
        "start_date": start_date,
        "end_date": end_date,
        "interest_opens": interest_opens,
        "interest_closes": interest_closes,
        "planned_tandems": planned_tandems,
    }
    changed = changed_copy(cohort, **changes)
    check_cohort(changed)
    changed.full_clean()
    changed._history_user = actor(by)
    save_unique(changed, "slug", _("Another cohort of this programme has this short name."))
    apply_changes(cohort, **changes)
    return cohort


def cohort_close_blockers(cohort):
    """Why the cohort cannot simply close (unfinished tandems ...), from the receivers of
    `hooks.close_guards`."""
    return hooks.answers(hooks.close_guards, sender=Cohort, cohort=cohort)


def cohort_transition_problems(cohort, to_state, *, reason=""):
    """The reasons a move to `to_state` is refused now ([] when it may go ahead)."""
    to_state = State(to_state)
    if to_state not in TRANSITIONS[State(cohort.state)]:
        return [
            _("A cohort cannot move from “%(from)s” to “%(to)s”.")
            % {"from": State(cohort.state).label, "to": to_state.label}
        ]
    problems = []
    closes = cohort.interest_closes
    if to_state == State.OPEN and closes and closes < timezone.localdate():
        problems.append(_("The interest window has closed already; set a new closing date first."))
    if to_state == State.RUNNING and not (cohort.start_date and cohort.end_date):
        problems.append(_("A cohort cannot run without a start and an end date."))
    if to_state == State.CLOSED and not reason.strip():
        if cohort.state != State.EVALUATION:
            problems.append(_("Ending a cohort before its evaluation needs a reason."))
        blockers = cohort_close_blockers(cohort)
        problems.extend(blockers)
        if blockers and cohort.state == State.EVALUATION:
            problems.append(_("To end the cohort all the same, give a reason."))
    return problems


@dataclass(frozen=True)
class Concern:
    """Something that looks wrong about a move (shown before it is made)."""

    text: str
    url: str = ""


def cohort_transition_consequences(cohort, to_state, *, note="", today=None):
    """What a move to `to_state` will do and what looks wrong about it, for the check
    page before the move: {"consequences": [str], "warnings": [Concern], "final": bool,
    "emails": 0}. A move sends no e-mail (nobody is told automatically), which the page
    says. Two queries (registrations by state, the people's figures)."""
    today = today or timezone.localdate()
    to_state = State(to_state)
    from_state = State(cohort.state)
    registrations = dict(
        InterestRegistration.objects.filter(cohort=cohort)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    people = (
        Participation.objects.filter(cohort=cohort)
        .exclude(state=Participation.State.WITHDRAWN)
        .aggregate(
            total=Count("id"),
            held=Count("id", filter=Q(invitation_held=True)),
            not_signed_in=Count("id", filter=Q(user__last_login__isnull=True)),
        )
    )
    final = from_state not in TRANSITIONS[to_state] or bool(
        # The way back exists, but its guards would refuse it (a window closed since).
        cohort_transition_problems(_as_if(cohort, to_state), from_state)
    )
    closes = cohort.interest_closes
    window_open = from_state == State.OPEN and (closes is None or closes >= today)
    consequences = []
    warnings = []
    queue = reverse("cohorts:cohort_registrations", kwargs={"cohort_pk": cohort.pk})
    people_url = reverse("cohorts:participation_list", kwargs={"cohort_pk": cohort.pk})

    if to_state == State.OPEN:
        if not cohort.programme.is_public:
            consequences.append(
                _("The programme is not public: the interest form does not offer this cohort.")
            )
        elif closes and cohort.interest_opens and cohort.interest_opens > today:
            consequences.append(
                _("The public interest form offers this cohort from %(opens)s to %(closes)s.")
                % {"opens": _day(cohort.interest_opens), "closes": _day(closes)}
            )
        elif closes:
            consequences.append(
                _("The public interest form offers this cohort at once, until %(closes)s.")
                % {"closes": _day(closes)}
            )
        else:
            consequences.append(_("The public interest form offers this cohort at once."))
            warnings.append(Concern(_("The interest window has no closing date.")))
    if from_state == State.OPEN and to_state != State.OPEN:
        consequences.append(
            _("The interest form no longer offers this cohort; registrations received stay.")
        )
        if window_open and closes:
            warnings.append(
                Concern(
                    _("The interest window is still open until %(closes)s.")
                    % {"closes": _day(closes)}
                )
            )
        elif window_open:
            warnings.append(Concern(_("The interest window is still open.")))
    if to_state == State.CLOSED:
        consequences.append(
            _(
                "Closing is final: the status cannot be changed again, and nobody can join "
                "the cohort any more (imports and held invitations are refused)."
            )
        )
        if note.strip():
            consequences.append(_("Your reason is kept with the cohort and shown on its page."))
        if from_state != State.EVALUATION:
            warnings.append(Concern(_("The cohort ends early, before its evaluation.")))
        if cohort.end_date and cohort.end_date > today:
            warnings.append(
                Concern(
                    _("The cohort's planned end, %(end)s, is still ahead.")
                    % {"end": _day(cohort.end_date)}
                )
            )
    if to_state == State.RUNNING and cohort.start_date and cohort.start_date > today:
        warnings.append(
            Concern(
                _("The cohort's start, %(start)s, is still ahead.")
                % {"start": _day(cohort.start_date)}
            )
        )
    if to_state in {State.MATCHING, State.RUNNING, State.CLOSED} and not people["total"]:
        warnings.append(Concern(_("Nobody takes part in this cohort."), people_url))
    leaving_review = to_state in {State.RUNNING, State.CLOSED} or (
        from_state == State.OPEN and to_state != State.MATCHING
    )
    waiting = registrations.get(InterestRegistration.State.CONFIRMED, 0)
    if waiting and (leaving_review or to_state == State.MATCHING):
        warnings.append(
            Concern(
                ngettext(
                    "%(count)s registration of interest is still waiting for your decision.",
                    "%(count)s registrations of interest are still waiting for your decision.",
                    waiting,
                )
                % {"count": waiting},
                queue,
            )
        )
    unconfirmed = registrations.get(InterestRegistration.State.UNCONFIRMED, 0)
    if unconfirmed and to_state == State.CLOSED:
        warnings.append(
            Concern(
                ngettext(
                    "%(count)s registration of interest is not yet confirmed by its contact.",
                    "%(count)s registrations of interest are not yet confirmed by their contacts.",
                    unconfirmed,
                )
                % {"count": unconfirmed},
                queue,
            )
        )
    if people["held"] and to_state in {State.RUNNING, State.CLOSED}:
        text = (
            ngettext(
                "%(count)s invitation is held and will not be sent once the cohort is closed.",
                "%(count)s invitations are held and will not be sent once the cohort is closed.",
                people["held"],
            )
            if to_state == State.CLOSED
            else ngettext(
                "%(count)s invitation is still held: that person has not been invited yet.",
                "%(count)s invitations are still held: these people have not been invited yet.",
                people["held"],
            )
        )
        warnings.append(Concern(text % {"count": people["held"]}, people_url))
    not_signed_in = people["not_signed_in"] - people["held"]
    if not_signed_in > 0 and to_state in {State.RUNNING, State.CLOSED}:
        warnings.append(
            Concern(
                ngettext(
                    "%(count)s person has not yet taken up the invitation.",
                    "%(count)s people have not yet taken up their invitations.",
                    not_signed_in,
                )
                % {"count": not_signed_in},
                people_url,
            )
        )
    return {"consequences": consequences, "warnings": warnings, "final": final, "emails": 0}


def _as_if(cohort, state):
    """An unsaved copy of `cohort` in `state` (to ask the guards about the way back)."""
    copy = Cohort(**{f.attname: getattr(cohort, f.attname) for f in Cohort._meta.concrete_fields})
    copy.state = state
    return copy


def _day(value):
    return date_format(value, "DATE_FORMAT")


@transaction.atomic
def cohort_transition(*, cohort, to_state, by, note=""):
    """Move a cohort to another stage of its lifecycle, if the guards allow it.

    Guards: only the moves in TRANSITIONS; running needs a start and an end date;
    closing needs the close guards (tandems finished ...) satisfied, or a reason that
    is stored as the cohort's `closed_reason`. Every move is recorded with who and when.
    No e-mails.
    """
    # Lock the row: two office members clicking at once must not both move it.
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    to_state = State(to_state)
    if cohort.state == to_state:
        # The same click twice (or two colleagues at once): the first one did it.
        return cohort
    problems = cohort_transition_problems(cohort, to_state, reason=note)
    if problems:
        raise ValidationError(problems)
    return _move(cohort, to_state, by=by, note=note)


def _move(cohort, to_state, *, by, note="", undoes=None):
    from_state = cohort.state
    cohort.state = to_state
    cohort._history_user = actor(by)
    update_fields = ["state"]
    if to_state == State.CLOSED and note.strip():
        cohort.closed_reason = note.strip()
        update_fields.append("closed_reason")
    cohort.save(update_fields=update_fields)
    CohortTransition.objects.create(
        cohort=cohort,
        from_state=from_state,
        to_state=to_state,
        by=actor(by),
        note=note.strip(),
        undoes=undoes,
    )
    return cohort


# How long the person who moved a cohort may take the move back with one click.
UNDO_WINDOW = timedelta(minutes=10)


def cohort_transition_undo_refusal(cohort, transition, *, by, now=None):
    """Why `transition` (the cohort's latest move) cannot be undone by `by` now, or ""
    when it can. Only the person who made it, within UNDO_WINDOW, and only where the
    lifecycle allows the move back anyway (TRANSITIONS) with its guards: closing, and
    starting a cohort (matching to running), stay final. An undo is not undone. No query
    (the guards of the moves back need none)."""
    now = now or timezone.now()
    if transition is None or transition.cohort_id != cohort.pk:
        return _("There is no change of status to undo.")
    if transition.undoes_id:
        return _("This change took back the one before; change the status again instead.")
    if by is None or transition.by_id != getattr(by, "pk", None):
        return _("Only the person who changed the status can undo it.")
    if now - transition.at > UNDO_WINDOW:
        return _("A change of status can be undone only within %(minutes)d minutes.") % {
            "minutes": int(UNDO_WINDOW.total_seconds()) // 60
        }
    back = State(transition.from_state)
    if cohort.state != transition.to_state or back not in TRANSITIONS[State(cohort.state)]:
        return _("This change cannot be taken back: the lifecycle allows no way back from it.")
    problems = cohort_transition_problems(cohort, back)
    if problems:
        return " ".join(str(problem) for problem in problems)
    return ""


@transaction.atomic
def cohort_transition_undo(*, cohort, transition, by, now=None):
    """Take back the cohort's latest move, made by `by` minutes ago (see
    `cohort_transition_undo_refusal`): the cohort returns to the stage it came from, and
    the history records the move back as undoing the first. Raises ValidationError
    (nothing changed) otherwise. No e-mails (the move sent none either)."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    latest = CohortTransition.objects.filter(cohort=cohort).first()
    if latest is None or latest.pk != transition.pk:
        if latest is not None and latest.undoes_id == transition.pk:
            return cohort  # undone a moment ago (a second click): that is the result
        raise ValidationError(_("The status has been changed since; this change cannot be undone."))
    refusal = cohort_transition_undo_refusal(cohort, latest, by=by, now=now)
    if refusal:
        raise ValidationError(refusal)
    return _move(cohort, State(latest.from_state), by=by, undoes=latest)


# ------------------------------------------------------------------- the next cohort


def shift_for(source, start_date):
    """The time between the source's start and the new start (a year when unset)."""
    if source.start_date and start_date:
        return start_date - source.start_date
    return timedelta(days=365)


def suggested_start(source):
    """The same day a year later (29 February becomes 28 February)."""
    if not source.start_date:
        return None
    start = source.start_date
    if start.year >= MAX_DATE.year:
        return None
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return date(start.year + 1, start.month, 28)


def _shifted(value, shift):
    return value + shift if value else None


def _free_slug(programme, title):
    base = slugify(title)[:70] or "cohort"
    taken = set(
        Cohort.objects.filter(programme=programme, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug = f"{base}-{number}"
        number += 1
    return slug


@transaction.atomic
def cohort_copy_next(*, cohort, title, by, start_date=None):
    """Create a draft cohort of the same programme with the source's structure, its dates
    shifted so that it starts on `start_date` (a year later when not given).

    Side effects: whatever the receivers of `hooks.cohort_copied` copy (told `by`). No
    e-mails.
    """
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Please give the new cohort a title.")})
    if Cohort.objects.filter(programme=cohort.programme, title__iexact=title).exists():
        raise ValidationError({"title": _("The programme already has a cohort of this title.")})
    if start_date is not None:
        check_date(start_date, "start_date")
    start_date = start_date or suggested_start(cohort)
    shift = shift_for(cohort, start_date)
    try:
        for value in (cohort.end_date, cohort.interest_opens, cohort.interest_closes):
            _shifted(value, shift)
    except OverflowError:
        # Only a source with dates beyond any sensible range gets here.
        raise ValidationError(
            {"start_date": _("The dates of the new cohort would lie outside any calendar.")}
        ) from None
    new = cohort_create(
        programme=cohort.programme,
        title=title,
        slug=_free_slug(cohort.programme, title),
        by=by,
        start_date=_shifted(cohort.start_date, shift) if cohort.start_date else start_date,
        end_date=_shifted(cohort.end_date, shift),
        interest_opens=_shifted(cohort.interest_opens, shift),
        interest_closes=_shifted(cohort.interest_closes, shift),
        planned_tandems=cohort.planned_tandems,
        created_from=cohort,
    )
    hooks.cohort_copied.send(sender=Cohort, source=cohort, target=new, shift=shift, by=actor(by))
    return new
