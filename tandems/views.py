"""Views of the tandems app (thin: permission, form, one service call, response).

For the programme office: the tandem board as a tab of the cohort page, a tandem with
its phases and milestones, its early end (with a confirmation step), its dates, the
order of its phases, and the matching page. For participants: their own tandem (with
the confirmation) and their preferences from anonymised profiles. Someone else's
cohort or tandem answers 404 (the querysets come from the selectors), a signed-in person
without the role 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cohorts import figures
from cohorts.models import Participation, Programme
from cohorts.selectors import office_cohort_or_404
from cohorts.views._shared import cohort_frame
from pioneer import fragments, jobs
from pioneer.calendar_feed import personal_dates
from pioneer.forms import apply_errors
from pioneer.models import Job, Role
from pioneer.permissions import require, role_required, scoped_object_or_404
from pioneer.validators import ids_from
from tandems import matching, selectors, services, timeline
from tandems.forms import (
    AcceptForm,
    BoardFilter,
    EndEarlyForm,
    PairForm,
    PhaseDatesForm,
    PreferencesForm,
)
from tandems.models import Tandem
from tandems.rows import assignment_rows, board_rows, dated_rows, suggestion_items

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTICIPANT = Role.Kind.PARTICIPANT


def _cohort(request, cohort_pk):
    """The office's cohort of a programme with tandems (what `tandem_cohorts_for(user)`
    gives), else 404: read as every cohort tab reads it (`office_cohort_or_404`, by SQL
    compiled once per process; the queryset cost about 1 ms of CPU to build)."""
    cohort = office_cohort_or_404(request.user, cohort_pk)
    if cohort.programme.format != Programme.Format.TANDEM:
        raise Http404
    require("tandems.manage_tandems", request.user, cohort)
    return cohort


def _tandem(request, cohort_pk, pk):
    cohort = _cohort(request, cohort_pk)
    tandem = scoped_object_or_404(selectors.tandems_of(cohort), pk=pk)
    return cohort, tandem


BOARD_PAGE_SIZE = 20
_MARKER = 2**31 - 1


def _url_of(name, *args):
    """pk -> the URL `name` with `args` and then that pk, from one reverse() for a whole
    page of rows (the pk is the URL's last argument)."""
    head, tail = reverse(name, args=[*args, _MARKER]).rsplit(str(_MARKER), 1)
    return lambda pk: f"{head}{pk}{tail}"


def _status(form):
    return 400 if form is not None and form.errors else 200


@role_required(OFFICE)
def board(request, cohort_pk):
    """The cohort's tandems by state and phase, with filters."""
    cohort = _cohort(request, cohort_pk)
    form = BoardFilter(request.GET or None)
    filtered = False
    if form.is_valid():
        data = form.cleaned_data
        filtered = any(data.values())
    counts = selectors.tandem_counts(cohort)
    # A page at a time (BOARD_PAGE_SIZE rows): the scale world's big cohort has 125 tandems
    # at N = 50, and every row costs rendering time; the counts above cover them all.
    # The page's rows are chosen on the tandems and the administration's names alone (the
    # order), and only then are their people read: joining all of a large cohort's tandems
    # first made PostgreSQL hash every participation of every cohort (twice) to show 20
    # rows. One query still: the page is a subquery.
    if filtered:
        tandems = base = selectors.tandems_of(cohort)
        tandems = selectors.filter_board(
            tandems,
            state=data["state"],
            overdue=data["overdue"],
            missing_agreement=data["agreement"],
            text=data["q"],
        )
        paginator = Paginator(selectors.board_order(tandems), BOARD_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        # The filter is in the page's subquery already; the rows need not repeat its joins.
        rows = selectors.board_rows(base, page.object_list)
    else:
        # All the cohort's tandems: the counts by state have their number already, and the
        # page's rows come by SQL compiled once per page (`selectors.board_page`).
        paginator = Paginator(range(sum(counts.values())), BOARD_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        window = page.object_list
        rows = selectors.board_page(cohort, window.start, window.stop)
    phases = selectors.board_phases([row["pk"] for row in rows])
    people = {phase["guest_id"]: phase["guest"] for phase in phases}
    missing = {row[side] for row in rows for side in ("administration_id", "external_id")}
    missing -= people.keys()
    if missing:  # a tandem without its two phases (the services always make both)
        people.update(selectors.board_people(missing))
    # The rows written in Python (tandems/rows.py): through the template each row's links,
    # sentences and badges were most of the page's time.
    rows_html = board_rows(cohort, rows, phases, people)
    return render(
        request,
        "tandems/board.html",
        {
            "cohort": cohort,
            "form": form,
            "filtered": filtered,
            "tandems": rows,
            "rows_html": rows_html,
            "form_html": fragments.form_html(form, "tandem-board-filter", ()),
            "page": page,
            "counts": [
                (value, label, counts.get(value, 0)) for value, label in Tandem.State.choices
            ],
            **cohort_frame(request, cohort, "tandems"),
        },
    )


@role_required(OFFICE)
def tandem_detail(request, cohort_pk, pk):
    cohort, tandem = _tandem(request, cohort_pk, pk)
    return render(
        request,
        "tandems/tandem_detail.html",
        {
            "cohort": cohort,
            "tandem": tandem,
            "milestones": list(selectors.milestones_of(tandem)),
            "today": timezone.localdate(),
            "can_swap": tandem.state in (Tandem.State.PROPOSED, Tandem.State.AGREED),
            "can_end": tandem.state not in (Tandem.State.COMPLETED, Tandem.State.ENDED_EARLY),
        },
    )


@role_required(OFFICE)
def tandem_end(request, cohort_pk, pk):
    """The confirmation step of an early end: the reason, then one button."""
    cohort, tandem = _tandem(request, cohort_pk, pk)
    form = EndEarlyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.tandem_end_early(
                tandem=tandem, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The tandem has ended early."))
            return redirect("tandems:detail", cohort_pk=cohort.pk, pk=tandem.pk)
    return render(
        request,
        "tandems/tandem_end.html",
        {"cohort": cohort, "tandem": tandem, "form": form},
        status=_status(form),
    )


@role_required(OFFICE)
def tandem_dates(request, cohort_pk, pk):
    cohort, tandem = _tandem(request, cohort_pk, pk)
    phases = list(tandem.phases.all())
    initial = {
        "first_start": phases[0].start,
        "first_end": phases[0].end,
        "second_start": phases[1].start,
        "second_end": phases[1].end,
    }
    form = PhaseDatesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.tandem_set_dates(tandem=tandem, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The phases' dates have been saved."))
            return redirect("tandems:detail", cohort_pk=cohort.pk, pk=tandem.pk)
    return render(
        request,
        "tandems/tandem_dates.html",
        {"cohort": cohort, "tandem": tandem, "form": form},
        status=_status(form),
    )


@role_required(OFFICE)
@require_POST
def tandem_swap(request, cohort_pk, pk):
    cohort, tandem = _tandem(request, cohort_pk, pk)
    try:
        services.tandem_swap_order(tandem=tandem, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The order of the phases has been swapped."))
    return redirect("tandems:detail", cohort_pk=cohort.pk, pk=tandem.pk)


@role_required(OFFICE)
@require_POST
def milestone_done(request, cohort_pk, pk, milestone_pk):
    """Mark a milestone done, or not done again (done=1 / done=0)."""
    cohort, tandem = _tandem(request, cohort_pk, pk)
    milestone = scoped_object_or_404(selectors.milestones_of(tandem), pk=milestone_pk)
    done = request.POST.get("done") == "1"
    services.milestone_set_done(milestone=milestone, done=done, by=request.user)
    messages.success(
        request,
        (_("“%(milestone)s” is marked done.") if done else _("“%(milestone)s” is open again."))
        % {"milestone": milestone.get_kind_display()},
    )
    return redirect("tandems:detail", cohort_pk=cohort.pk, pk=tandem.pk)


# One page of the matching shows this many pairs of the assignment and this many people's
# suggestions: the page's size and time do not grow with the cohort. Each pair and person
# brings its reasons and up to three suggestions with theirs, and the hand-pairing lists
# offer the people the page shows: at 25 a page of a large cohort took twice the time of a
# small cohort's page.
PAGE_SIZE = 10
# Up to this many people (of a page's profiles) the hand-pairing lists offer all of them.
ALL_OPTIONS = 200


def _person_choices(profiles):
    return sorted(
        ((p.id, f"{p.label} ({p.organisation})") for p in profiles), key=lambda c: c[1].lower()
    )


def _inline(result):
    """(outcome, profiles, likes, job) of a matching computed in the request."""
    profiles = {p.id: p for p in (*result.administration, *result.external)}
    likes = result.fits.constraints.get("likes", set())
    return matching.Outcome.of(result), profiles, likes, None


def _kept_inline(cohort, people=None):
    """`_inline` of the cohort's matching, kept under cohorts.figures' change token, which
    every write of what the matching reads replaces (people, their accounts and
    organisations, registrations, tandems and preferences): a small cohort's page
    computed its matching on every visit (7 ms of CPU for the demo's cohort)."""
    return figures.kept(
        "tandems.matching.inline",
        lambda: _inline(matching.cohort_matching(cohort, people=people)),
        cohort.pk,
    )


def _outcome(request, cohort):
    """The cohort's matching for the state of its inputs: (outcome, profiles, likes, job).

    A small cohort (at most INLINE_LIMIT unmatched people) is computed here (profiles of
    everyone, so the page needs no further reads) and kept until one of its inputs is
    written (`_kept_inline`); a large one's outcome is read from the
    job that computed it for this state of the inputs (profiles None: the page reads those
    it shows), or a job is started, and while it runs the outcome is None and `job` says
    how far it is. A cohort that never had a job is told small or large by reading up to
    INLINE_LIMIT + 1 of its people (which a small one's matching then uses); one that had
    a job by the count its fingerprint gives.

    Only a done job needs the fingerprint of the inputs: a small cohort's outcome is made
    from them here, and while a job of the cohort waits or runs the page says so (and
    asks again every two seconds): the job reads the inputs as they are when it runs and
    stores their fingerprint with the outcome, and a done outcome is shown only if that
    is the current fingerprint. (A stale job is retried or failed by the dispatcher, so
    none waits for ever; a failed one is not looked at.)"""
    job = matching.latest_job_kept(cohort)
    if job is None:
        # No job was ever needed: up to INLINE_LIMIT people are matched here. How many
        # are unmatched (up to one more than that) is kept, as is the outcome.
        count = figures.kept(
            "tandems.matching.unmatched",
            lambda: len(matching.unmatched_people(cohort, limit=matching.INLINE_LIMIT + 1)),
            cohort.pk,
        )
        if count <= matching.INLINE_LIMIT:
            return _kept_inline(cohort)
    elif job.is_active:
        return None, None, None, job
    digest, count = matching.current_fingerprint(cohort)
    if count <= matching.INLINE_LIMIT:  # a large cohort that has become small
        return _kept_inline(cohort)
    if job is not None and job.state == Job.State.DONE and matching.job_fingerprint(job) == digest:
        return matching.stored_outcome(job), None, None, None
    job = jobs.job_start(
        kind=matching.JOB_KIND, by=request.user, target=cohort, payload={"fingerprint": digest}
    )
    figures.changed()  # the cohort has a job now (matching.latest_job_kept)
    job.refresh_from_db()  # without a broker it ran on commit already
    if job.state == Job.State.DONE and matching.job_fingerprint(job) == digest:
        return matching.stored_outcome(job), None, None, None
    return None, None, None, job


def _shown(cohort, outcome, profiles, likes, pairs, people_page):
    """What one page of a matching shows of its pairs and people: their rows written in
    Python (tandems/rows.py), whether there are any, and the hand-pairing lists' choices.
    Reads the profiles of the people shown when `profiles` is None (a job's outcome)."""
    administration = set(outcome.administration)
    visible = {pid for a, b, _score in pairs for pid in (a, b)}
    for pid in people_page:
        visible.add(pid)
        visible.update(outcome.suggestions.get(pid, []))
    if profiles is None:
        profiles, likes = matching.visible_profiles(cohort, visible)
    likes = likes or set()

    def fit(a, b):
        return matching.score_pair(profiles[a], profiles[b], likes=likes)

    assignment = [
        {"fit": fit(a, b), "value": f"{a}-{b}"}
        for a, b, _score in pairs
        if a in profiles and b in profiles
    ]
    people = []
    for pid in people_page:
        if pid not in profiles:
            continue
        side = _("Administration") if pid in administration else _("External expert")
        fits = [
            fit(pid, other) if pid in administration else fit(other, pid)
            for other in outcome.suggestions.get(pid, [])
            if other in profiles
        ]
        people.append({"profile": profiles[pid], "side": side, "suggestions": fits})
    # A large cohort's hand-pairing lists the people this page shows, not every option of
    # a thousand: a select of thousands is neither fast to render nor usable.
    offered = (
        profiles.values()
        if len(profiles) <= ALL_OPTIONS
        else [profiles[pid] for pid in visible if pid in profiles]
    )
    choices = {
        "administration": _person_choices(p for p in offered if p.id in administration),
        "external": _person_choices(p for p in offered if p.id not in administration),
    }
    return {
        "has_assignment": bool(assignment),
        "has_people": bool(people),
        # Written in Python (tandems/rows.py): through the template each row's and
        # suggestion's words, labels and reasons were most of a small cohort's page.
        "assignment_html": assignment_rows(assignment),
        "suggestions_html": suggestion_items(people),
        "choices": choices,
        # The hand-pairing form as first shown (a posted one is rendered with its errors).
        "pair_form_html": render_to_string(
            "partials/crispy_form.html", {"form": PairForm(**choices)}
        ),
    }


def _matching_page(
    request, cohort, outcome, profiles=None, likes=None, job=None, accept_form=None, pair_form=None
):
    context = {"cohort": cohort, **cohort_frame(request, cohort, "matching")}
    if outcome is None:  # being computed: a posted form's errors are said, not its fields
        context.update({"computing": True, "job": job})
        failed = next((f for f in (accept_form, pair_form) if f is not None and f.errors), None)
        if failed is not None:
            for errors in failed.errors.values():
                for error in errors:
                    messages.error(request, error)
        return render(request, "tandems/matching.html", context, status=_status(failed))
    pairs = Paginator(outcome.assignment, PAGE_SIZE).get_page(request.GET.get("page"))
    everyone = [*outcome.administration, *outcome.external]
    people_page = Paginator(everyone, PAGE_SIZE).get_page(request.GET.get("people"))
    # A page's parts are the same until the outcome or something the token covers (the
    # names and organisations shown) changes: kept per outcome, page and language, they
    # spare reading the people shown, scoring their pairs and writing the rows.
    shown = fragments.cached(
        "tandems.matching",
        (figures.token(), cohort.pk, outcome.fingerprint, pairs.number, people_page.number),
        lambda: _shown(cohort, outcome, profiles, likes, pairs, people_page),
        figures.SECONDS,
    )
    # Shown only for its errors: the choices (every pair of the assignment) matter when a
    # posted form is validated, and building them cost a millisecond per 100 pairs.
    accept_form = accept_form or AcceptForm(assignment=())
    choices = shown["choices"]
    if pair_form is not None:  # the posted people stay chosen, beside this page's people
        for name in ("administration", "external"):
            posted = dict(pair_form.fields[name].choices)
            pair_form.fields[name].choices = [
                ("", "–"),
                *[(k, v) for k, v in posted.items() if k != "" and k not in dict(choices[name])],
                *choices[name],
            ]
    form = accept_form if accept_form.errors else pair_form
    context.update(
        {
            "outcome": outcome,
            "administration_count": len(outcome.administration),
            "external_count": len(outcome.external),
            "pairs": pairs,
            "people_page": people_page,
            "has_assignment": shown["has_assignment"],
            "has_people": shown["has_people"],
            "assignment_html": mark_safe(shown["assignment_html"]),  # noqa: S308 (tandems/rows.py escapes)
            "suggestions_html": mark_safe(shown["suggestions_html"]),  # noqa: S308
            "total": outcome.total,
            "accept_form": accept_form,
            "pair_form": pair_form,
            "pair_form_html": None if pair_form is not None else mark_safe(shown["pair_form_html"]),  # noqa: S308
        }
    )
    return render(request, "tandems/matching.html", context, status=_status(form))


def _accept(request, cohort, values):
    """Create the tandems of the accepted pairs ("admin id-external id"), all or none."""
    ids = {int(x) for value in values for x in value.split("-")}
    people = {p.pk: p for p in matching.unmatched(cohort).filter(pk__in=ids)}
    with transaction.atomic():
        for value in values:
            administration_id, external_id = (int(x) for x in value.split("-"))
            if administration_id not in people or external_id not in people:
                raise ValidationError(
                    _("The suggestions have changed meanwhile; please look at them again.")
                )
            services.tandem_create(
                first=people[administration_id], second=people[external_id], by=request.user
            )


@role_required(OFFICE)
def matching_page(request, cohort_pk):
    """Suggestions per person with reasons, and the optimal assignment to accept in full
    or in part; accepted tandems start as proposed. A large cohort's outcome is computed
    once per state of its people and preferences, by a job (tandems.matching)."""
    cohort = _cohort(request, cohort_pk)
    outcome, profiles, likes, job = _outcome(request, cohort)
    if request.method != "POST":
        return _matching_page(request, cohort, outcome, profiles, likes, job)
    # While a new outcome is being computed, no pair of the old one can be accepted.
    assignment = outcome.pair_values if outcome else []
    data = request.POST
    if "all" in data:
        # "Accept all pairs": the whole assignment as it stands, not only the page shown
        # (if it changed meanwhile, the posted count no longer matches and nothing is done).
        data = data.copy()
        if data.get("all") == str(len(assignment)):
            data.setlist("pairs", assignment)
        else:
            data.setlist("pairs", ["changed"])
    form = AcceptForm(data, assignment=assignment)
    if form.is_valid():
        try:
            _accept(request, cohort, form.cleaned_data["pairs"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            count = len(form.cleaned_data["pairs"])
            messages.success(
                request,
                ngettext(
                    "%(count)s tandem has been proposed; both partners confirm it.",
                    "%(count)s tandems have been proposed; both partners confirm them.",
                    count,
                )
                % {"count": count},
            )
            return redirect("tandems:board", cohort_pk=cohort.pk)
    return _matching_page(request, cohort, outcome, profiles, likes, job, accept_form=form)


def _posted_people(cohort, data):
    """The posted people if they are the cohort's unmatched people (one query): the
    choices the hand-pairing form validates against, without listing everyone."""
    ids = ids_from(data.get(name, "") for name in ("administration", "external"))
    people = matching.unmatched(cohort).filter(pk__in=ids).select_related("user", "organisation")
    return {p.pk: p for p in people}


@role_required(OFFICE)
@require_POST
def matching_pair(request, cohort_pk):
    """Pair two people by hand (the same rules as the assignment)."""
    cohort = _cohort(request, cohort_pk)
    people = _posted_people(cohort, request.POST)

    def choices(side):
        return [
            (p.pk, f"{p.user.name or p.user.email} ({p.organisation})")
            for p in people.values()
            if p.side == side
        ]

    form = PairForm(
        request.POST,
        administration=choices(Participation.Side.ADMINISTRATION),
        external=choices(Participation.Side.EXTERNAL),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.tandem_create(
                first=people[data["administration"]],
                second=people[data["external"]],
                topic=data["topic"],
                administration_first=not data["external_first"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The tandem has been proposed; both partners confirm it."))
            return redirect("tandems:matching", cohort_pk=cohort.pk)
    outcome, profiles, likes, job = _outcome(request, cohort)
    return _matching_page(request, cohort, outcome, profiles, likes, job, pair_form=form)


# --- participants -------------------------------------------------------------------------


@role_required(PARTICIPANT)
def my_tandem(request):
    """The person's own tandems: where they are today in their six months (a timeline
    as a picture and as words), the partner and the host contact, the phases, the next
    milestones and events, and the confirmation of a proposed tandem."""
    today = timezone.localdate()
    # One read of the person's tandems, people, phases and milestones serves the page and
    # the dates (the calendar's receiver took them from here instead of reading them again).
    own = selectors.own_tandems_with_dates(request.user)
    tandems = [t for t in own if t.state != Tandem.State.ENDED_EARLY][:5]
    entries = []
    for t in tandems:
        phases = sorted(t.dated_phases, key=lambda phase: phase.number)
        line = timeline.timeline(phases, request.user, today=today)
        entries.append(
            {
                "tandem": t,
                "partner": t.partner_of(request.user),
                "phases": phases,
                "timeline": line,
                # The picture and the phases written in Python, not by the template.
                "picture": timeline.picture(line) if line else "",
                "phase_items": timeline.phase_items(phases),
                "confirmed": t.confirmed_by_user(request.user),
            }
        )
    rows, today_at = timeline.dated_list(personal_dates(request.user, own_tandems=own), today=today)
    dated_rows(rows)  # each row's HTML written once in Python (tandems/rows.py)
    return render(
        request,
        "tandems/my_tandem.html",
        {
            "entries": entries,
            "today": today,
            "rows": rows,
            "today_at": today_at,
            # The list's items written in Python, not by a loop of the template.
            "dated_items": timeline.dated_items(rows, today_at, today),
            "coming": timeline.coming(rows),
            "preference_cohorts": selectors.preference_cohorts_shown(request.user),
        },
    )


@role_required(PARTICIPANT)
@require_POST
def tandem_confirm(request, pk):
    tandem = scoped_object_or_404(selectors.tandems_of_participant(request.user), pk=pk)
    require("tandems.confirm_tandem", request.user, tandem)
    try:
        tandem = services.tandem_confirm(tandem=tandem, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if tandem.state == Tandem.State.AGREED:
            messages.success(request, _("You have both confirmed: your tandem is agreed."))
        else:
            messages.success(request, _("Thank you; now your partner confirms too."))
    return redirect("tandems:mine")


@role_required(PARTICIPANT)
def preferences(request, cohort_pk):
    """Whom the person would like, or not like, to be paired with: anonymised profiles
    of the other side of their cohort (topics and expertise, no names)."""
    participation = scoped_object_or_404(
        selectors.preference_participation(request.user, cohort_pk), cohort_id=cohort_pk
    )
    require("tandems.state_preferences", request.user, participation)
    profiles = selectors.anonymous_profiles(participation)
    form = PreferencesForm(request.POST if request.method == "POST" else None, profiles=profiles)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for profile in profiles:
                    kind = form.cleaned_data[profile["field"]]
                    if kind != profile["preference"]:
                        services.preference_set(
                            participation=participation,
                            other=profile["participation"],
                            kind=kind,
                            by=request.user,
                        )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your preferences have been saved."))
            return redirect("tandems:preferences", cohort_pk=cohort_pk)
    return render(
        request,
        "tandems/preferences.html",
        {
            "participation": participation,
            "cohort": participation.cohort,
            "profiles": profiles,
            "form": form,
        },
        status=_status(form),
    )
