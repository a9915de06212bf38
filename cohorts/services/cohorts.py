"""Writes of cohorts: create, update, the lifecycle (stages, transitions, close guards),
and the next cohort copied from one.

Copying: the cohort's own structure is its dates, interest window and planned number of
tandems. Later apps copy what they own (the companion programme's event plan, the
evaluation's survey set) through the `cohorts.hooks.cohort_copied` signal, which
`cohort_copy_next` sends inside the same transaction: either everything is copied or
nothing. People and registrations are not copied: every cohort recruits anew.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cohorts import hooks
from cohorts.models import Cohort, CohortTransition
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
    from_state = cohort.state
    cohort.state = to_state
    cohort._history_user = actor(by)
    update_fields = ["state"]
    if to_state == State.CLOSED and note.strip():
        cohort.closed_reason = note.strip()
        update_fields.append("closed_reason")
    cohort.save(update_fields=update_fields)
    CohortTransition.objects.create(
        cohort=cohort, from_state=from_state, to_state=to_state, by=actor(by), note=note.strip()
    )
    return cohort


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
