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
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cohorts.views._shared import cohort_frame
from pioneer.forms import apply_errors
from pioneer.models import Role
from pioneer.permissions import require, role_required, scoped_object_or_404
from tandems import matching, selectors, services
from tandems.forms import (
    AcceptForm,
    BoardFilter,
    EndEarlyForm,
    PairForm,
    PhaseDatesForm,
    PreferencesForm,
)
from tandems.models import Tandem

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTICIPANT = Role.Kind.PARTICIPANT


def _cohort(request, cohort_pk):
    cohort = scoped_object_or_404(selectors.tandem_cohorts_for(request.user), pk=cohort_pk)
    require("tandems.manage_tandems", request.user, cohort)
    return cohort


def _tandem(request, cohort_pk, pk):
    cohort = _cohort(request, cohort_pk)
    tandem = scoped_object_or_404(selectors.tandems_of(cohort), pk=pk)
    return cohort, tandem


def _status(form):
    return 400 if form is not None and form.errors else 200


@role_required(OFFICE)
def board(request, cohort_pk):
    """The cohort's tandems by state and phase, with filters."""
    cohort = _cohort(request, cohort_pk)
    form = BoardFilter(request.GET or None)
    tandems = selectors.tandems_of(cohort)
    filtered = False
    if form.is_valid():
        data = form.cleaned_data
        filtered = any(data.values())
        tandems = selectors.filter_board(
            tandems, state=data["state"], overdue=data["overdue"], text=data["q"]
        )
    counts = selectors.tandem_counts(cohort)
    return render(
        request,
        "tandems/board.html",
        {
            "cohort": cohort,
            "form": form,
            "filtered": filtered,
            "tandems": list(tandems),
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


def _person_choices(profiles):
    return [(p.id, f"{p.label} ({p.organisation})") for p in profiles]


def _matching_page(request, cohort, result, accept_form=None, pair_form=None):
    people = [
        {"profile": p, "side": side, "suggestions": result.suggestions.get(p.id, [])}
        for side, group in (
            (_("Administration"), result.administration),
            (_("External expert"), result.external),
        )
        for p in group
    ]
    accept_form = accept_form or AcceptForm(assignment=result.assignment)
    pair_form = pair_form or PairForm(
        administration=_person_choices(result.administration),
        external=_person_choices(result.external),
    )
    form = accept_form if accept_form.errors else pair_form
    return render(
        request,
        "tandems/matching.html",
        {
            "cohort": cohort,
            "result": result,
            "people": people,
            "assignment": [
                {"fit": fit, "value": f"{fit.administration.id}-{fit.external.id}"}
                for fit in result.assignment
            ],
            "total": sum(fit.score for fit in result.assignment),
            "accept_form": accept_form,
            "pair_form": pair_form,
            **cohort_frame(request, cohort, "matching"),
        },
        status=_status(form),
    )


@role_required(OFFICE)
def matching_page(request, cohort_pk):
    """Suggestions per person with reasons, and the optimal assignment to accept in full
    or in part; accepted tandems start as proposed."""
    cohort = _cohort(request, cohort_pk)
    result = matching.cohort_matching(cohort)
    if request.method != "POST":
        return _matching_page(request, cohort, result)
    form = AcceptForm(request.POST, assignment=result.assignment)
    if form.is_valid():
        try:
            with transaction.atomic():
                for value in form.cleaned_data["pairs"]:
                    administration_id, external_id = (int(x) for x in value.split("-"))
                    services.tandem_create(
                        first=result.participations[administration_id],
                        second=result.participations[external_id],
                        by=request.user,
                    )
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
    return _matching_page(request, cohort, result, accept_form=form)


@role_required(OFFICE)
@require_POST
def matching_pair(request, cohort_pk):
    """Pair two people by hand (the same rules as the assignment)."""
    cohort = _cohort(request, cohort_pk)
    result = matching.cohort_matching(cohort)
    form = PairForm(
        request.POST,
        administration=_person_choices(result.administration),
        external=_person_choices(result.external),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.tandem_create(
                first=result.participations[data["administration"]],
                second=result.participations[data["external"]],
                topic=data["topic"],
                administration_first=not data["external_first"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The tandem has been proposed; both partners confirm it."))
            return redirect("tandems:matching", cohort_pk=cohort.pk)
    return _matching_page(request, cohort, result, pair_form=form)


# --- participants -------------------------------------------------------------------------


@role_required(PARTICIPANT)
def my_tandem(request):
    """The person's own tandems: partner, phases, milestones, and the confirmation."""
    tandems = list(selectors.tandems_of_participant(request.user)[:5])
    entries = [
        {
            "tandem": t,
            "partner": t.partner_of(request.user),
            "phases": list(t.phases.all()),
            "milestones": list(t.milestones.all()),
            "confirmed": t.confirmed_by_user(request.user),
        }
        for t in tandems
    ]
    return render(
        request,
        "tandems/my_tandem.html",
        {
            "entries": entries,
            "preference_cohorts": list(selectors.preference_cohorts(request.user)[:5]),
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
