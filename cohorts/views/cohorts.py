"""A cohort for the programme office: create, the one cohort page with its tabs
(the overview with the status and its change; the registrations and participants tabs
live in lists.py), edit, change the status, and the copy of the next cohort. Someone
else's cohort answers 404 (the querysets come from the selectors)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import selectors, services
from cohorts.forms import CohortCopyForm, CohortForm, TransitionForm, TransitionUndoForm
from cohorts.models import Cohort, CohortTransition
from cohorts.views import rows as row_html
from cohorts.views._shared import (
    OFFICE,
    apply_errors,
    cohort_frame,
    office_cohort,
    render_form,
)
from pioneer import fragments
from pioneer.permissions import require, role_required, scoped_object_or_404


@role_required(OFFICE)
def cohort_create(request, slug):
    programme = scoped_object_or_404(selectors.programmes_for(request.user), slug=slug)
    require("cohorts.add_cohort", request.user, programme)
    form = CohortForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(
                programme=programme, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The cohort has been created as a draft."))
            return redirect("cohorts:cohort_detail", pk=cohort.pk)
    return render_form(
        request, "cohorts/cohort_form.html", {"form": form, "programme": programme}, form
    )


def _cohort_for_office(request, pk):
    return selectors.office_cohort_or_404(request.user, pk)


@role_required(OFFICE)
def cohort_detail(request, pk):
    cohort = _cohort_for_office(request, pk)
    return _cohort_page(request, cohort, TransitionForm(initial=_next_initial(cohort)))


def _next_initial(cohort):
    next_state = services.NEXT_STEP.get(cohort.state)
    return {"to_state": next_state} if next_state else {}


def _cohort_page(request, cohort, transition_form):
    """The overview tab: figures, attention, next step, dates, status and its change,
    history (the former detail page and dashboard in one)."""
    allowed = services.TRANSITIONS[Cohort.State(cohort.state)]
    transition_form.fields["to_state"].choices = [
        (value, selectors.status_label(cohort.programme, value))
        for value, _label in Cohort.State.choices
        if value in allowed
    ]
    transitions = selectors.cohort_transitions(cohort, limit=50)
    latest = transitions[0] if transitions else None
    undo = (
        latest
        if latest and not services.cohort_transition_undo_refusal(cohort, latest, by=request.user)
        else None
    )
    next_state = services.NEXT_STEP.get(cohort.state)
    problems = services.cohort_transition_problems(cohort, next_state) if next_state else []
    dashboard = selectors.cohort_dashboard(cohort)
    return render_form(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "form": transition_form,
            "can_move": bool(allowed),
            "transitions": transitions,
            "undo": undo,
            "undo_until": undo.at + services.UNDO_WINDOW if undo else None,
            "next_state_label": (
                selectors.status_label(cohort.programme, next_state) if next_state else ""
            ),
            "next_problems": problems,
            **cohort_frame(request, cohort, "overview"),
            **dashboard,
            "figure_cards": row_html.figure_cards(dashboard["figures"]),
            # The unbound status form is the same for every cohort with the same choices.
            "form_html": fragments.form_html(
                transition_form,
                "cohorts.transition",
                (transition_form.fields["to_state"].choices, transition_form.initial),
            ),
        },
        transition_form,
    )


@role_required(OFFICE)
def cohort_update(request, pk):
    cohort = _cohort_for_office(request, pk)
    require("cohorts.change_cohort", request.user, cohort)
    form = CohortForm(request.POST or None, instance=cohort, programme=cohort.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The cohort has been saved."))
            return redirect("cohorts:cohort_detail", pk=cohort.pk)
    return render_form(
        request,
        "cohorts/cohort_form.html",
        {"form": form, "programme": cohort.programme, "cohort": cohort},
        form,
    )


@role_required(OFFICE)
@require_POST
def cohort_transition(request, pk):
    """The status form: first the check page (what will happen, what looks wrong), then
    (with `confirmed`) the move. A move the guards refuse is shown on the overview."""
    cohort = _cohort_for_office(request, pk)
    require("cohorts.transition_cohort", request.user, cohort)
    form = TransitionForm(request.POST)
    if form.is_valid():
        to_state = form.cleaned_data["to_state"]
        note = form.cleaned_data["note"]
        confirmed = request.POST.get("confirmed") == "1"
        if (
            not confirmed
            and to_state != cohort.state
            and not services.cohort_transition_problems(cohort, to_state, reason=note)
        ):
            return _transition_check(request, cohort, form)
        try:
            cohort = services.cohort_transition(
                cohort=cohort, to_state=to_state, by=request.user, note=note
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            text = _("The cohort's status is now “%(status)s”.") % {
                "status": selectors.status_label(cohort.programme, cohort.state)
            }
            latest = CohortTransition.objects.filter(cohort=cohort).first()
            if latest and not services.cohort_transition_undo_refusal(
                cohort, latest, by=request.user
            ):
                text += " " + _(
                    "You can undo this change on the overview for %(minutes)d minutes."
                ) % {"minutes": int(services.UNDO_WINDOW.total_seconds()) // 60}
            messages.success(request, text)
            return redirect("cohorts:cohort_detail", pk=cohort.pk)
    return _cohort_page(request, cohort, form)


def _transition_check(request, cohort, form):
    to_state = form.cleaned_data["to_state"]
    check = services.cohort_transition_consequences(
        cohort, to_state, note=form.cleaned_data["note"]
    )
    return render(
        request,
        "cohorts/cohort_transition_check.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "form": form,
            "to_state": to_state,
            "from_label": selectors.status_label(cohort.programme, cohort.state),
            "to_label": selectors.status_label(cohort.programme, to_state),
            "closing": to_state == Cohort.State.CLOSED,
            "undo_minutes": int(services.UNDO_WINDOW.total_seconds()) // 60,
            **check,
        },
    )


@role_required(OFFICE)
@require_POST
def cohort_transition_undo(request, pk):
    """Take back the status change the person made minutes ago (where the lifecycle
    allows the way back)."""
    cohort = _cohort_for_office(request, pk)
    require("cohorts.transition_cohort", request.user, cohort)
    form = TransitionUndoForm(request.POST)
    transition = None
    if form.is_valid():
        transition = CohortTransition.objects.filter(
            cohort=cohort, pk=form.cleaned_data["transition"]
        ).first()
    if transition is None:
        messages.error(request, _("There is no change of status to undo."))
        return redirect("cohorts:cohort_detail", pk=cohort.pk)
    try:
        cohort = services.cohort_transition_undo(
            cohort=cohort, transition=transition, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The change has been undone: the status is “%(status)s” again.")
            % {"status": selectors.status_label(cohort.programme, cohort.state)},
        )
    return redirect("cohorts:cohort_detail", pk=cohort.pk)


@role_required(OFFICE)
def cohort_dashboard(request, cohort_pk):
    """The former dashboard: now the overview tab of the one cohort page."""
    cohort = _cohort_for_office(request, cohort_pk)
    return redirect("cohorts:cohort_detail", pk=cohort.pk, permanent=True)


@role_required(OFFICE)
def cohort_copy(request, cohort_pk):
    cohort = office_cohort(request, cohort_pk, perm="cohorts.add_cohort")
    form = CohortCopyForm(
        request.POST if request.method == "POST" else None,
        initial={"start_date": services.suggested_start(cohort)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.cohort_copy_next(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The cohort “%(title)s” has been created as a draft from “%(source)s”.")
                % {"title": new.title, "source": cohort.title},
            )
            return redirect("cohorts:cohort_detail", pk=new.pk)
    return render(
        request,
        "cohorts/cohort_copy.html",
        {"cohort": cohort, "form": form},
        status=400 if form.errors else 200,
    )
