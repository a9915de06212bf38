"""Views of the cohorts app: programmes and cohorts for the programme office, the public
registration of interest, and the review queue. Permission, form, one service call,
response. Someone else's object answers 404 (the querysets come from the selectors)."""

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import selectors, services
from cohorts.forms import (
    AcceptForm,
    CohortForm,
    DeclineForm,
    InterestForm,
    InterestPreselectForm,
    NoteForm,
    ProgrammeForm,
    RegistrationFilter,
    TransitionForm,
)
from cohorts.models import Cohort, CohortTransition, InterestRegistration, RegistrationNote
from pioneer.models import Organisation, Role
from pioneer.permissions import require, role_required, scoped_object_or_404
from pioneer.ratelimit import client_ip

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTNER = Role.Kind.PARTNER_CONTACT
PAGE_SIZE = 25


def _apply_errors(form, error):
    """Put a service's ValidationError onto the form (field or non-field)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _render(request, template, context, form=None):
    status = 400 if form is not None and form.errors else 200
    return render(request, template, context, status=status)


# --------------------------------------------------------------------------- programmes


@role_required(OFFICE)
def programme_list(request):
    programmes = (
        selectors.programmes_for(request.user)
        .select_related("organisation")
        .annotate(cohort_count=Count("cohorts"))
        .order_by("name")
    )
    return render(request, "cohorts/programme_list.html", {"programmes": programmes})


@role_required(OFFICE)
def programme_create(request):
    require("cohorts.add_programme", request.user)
    organisations = list(
        Organisation.objects.filter(pk__in=selectors.office_organisation_ids(request.user))
    )
    form = ProgrammeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        try:
            programme = services.programme_create(
                organisation=form.organisation(), by=request.user, **data
            )
        except ValidationError as error:  # a twin request took the short name meanwhile
            _apply_errors(form, error)
        else:
            messages.success(request, _("The programme has been created."))
            return redirect("cohorts:programme_detail", slug=programme.slug)
    return _render(request, "cohorts/programme_form.html", {"form": form}, form)


@role_required(OFFICE)
def programme_detail(request, slug):
    programme = scoped_object_or_404(
        selectors.programmes_for(request.user).select_related("organisation"), slug=slug
    )
    cohorts = programme.cohorts.annotate(registration_count=Count("registrations")).order_by(
        "-start_date", "-id"
    )
    return render(
        request,
        "cohorts/programme_detail.html",
        {"programme": programme, "cohorts": cohorts},
    )


@role_required(OFFICE)
def programme_update(request, slug):
    programme = scoped_object_or_404(selectors.programmes_for(request.user), slug=slug)
    require("cohorts.change_programme", request.user, programme)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            programme.refresh_from_db()
            _apply_errors(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("cohorts:programme_detail", slug=programme.slug)
    return _render(
        request, "cohorts/programme_form.html", {"form": form, "programme": programme}, form
    )


# ------------------------------------------------------------------------------ cohorts


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
            _apply_errors(form, error)
        else:
            messages.success(request, _("The cohort has been created as a draft."))
            return redirect("cohorts:cohort_detail", pk=cohort.pk)
    return _render(
        request, "cohorts/cohort_form.html", {"form": form, "programme": programme}, form
    )


def _cohort_for_office(request, pk):
    return scoped_object_or_404(selectors.cohorts_for(request.user), pk=pk)


@role_required(OFFICE)
def cohort_detail(request, pk):
    cohort = _cohort_for_office(request, pk)
    return _cohort_page(request, cohort, TransitionForm(initial=_next_initial(cohort)))


def _next_initial(cohort):
    next_state = services.NEXT_STEP.get(cohort.state)
    return {"to_state": next_state} if next_state else {}


def _cohort_page(request, cohort, transition_form):
    allowed = services.TRANSITIONS[Cohort.State(cohort.state)]
    transition_form.fields["to_state"].choices = [
        (value, label) for value, label in Cohort.State.choices if value in allowed
    ]
    transitions = CohortTransition.objects.filter(cohort=cohort).select_related("by")[:50]
    counts = selectors.registration_counts(cohort.registrations.all())
    next_state = services.NEXT_STEP.get(cohort.state)
    problems = services.cohort_transition_problems(cohort, next_state) if next_state else []
    return _render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "form": transition_form,
            "can_move": bool(allowed),
            "transitions": transitions,
            "registration_counts": [
                (state, label, counts.get(state, 0))
                for state, label in InterestRegistration.State.choices
            ],
            "next_state": Cohort.State(next_state) if next_state else None,
            "next_problems": problems,
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
            cohort.refresh_from_db()
            _apply_errors(form, error)
        else:
            messages.success(request, _("The cohort has been saved."))
            return redirect("cohorts:cohort_detail", pk=cohort.pk)
    return _render(
        request,
        "cohorts/cohort_form.html",
        {"form": form, "programme": cohort.programme, "cohort": cohort},
        form,
    )


@role_required(OFFICE)
@require_POST
def cohort_transition(request, pk):
    cohort = _cohort_for_office(request, pk)
    require("cohorts.transition_cohort", request.user, cohort)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.cohort_transition(
                cohort=cohort,
                to_state=form.cleaned_data["to_state"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The cohort is now in the stage “%(stage)s”.")
                % {"stage": Cohort.State(form.cleaned_data["to_state"]).label},
            )
            return redirect("cohorts:cohort_detail", pk=cohort.pk)
    return _cohort_page(request, cohort, form)


# ------------------------------------------------------------ public: registration of interest


HONEYPOT = "homepage"


def interest(request):
    cohorts = selectors.open_cohorts()
    initial = {}
    query = InterestPreselectForm(request.GET)
    if query.is_valid() and query.cleaned_data["cohort"]:
        initial["cohort"] = query.cleaned_data["cohort"]
    form = InterestForm(request.POST or None, cohorts=cohorts, initial=initial)
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            # A bot filled the hidden field: answer as if all went well, keep nothing.
            return redirect("cohorts:interest_sent")
        if form.is_valid():
            try:
                services.registration_submit(
                    cohort=form.cleaned_data["cohort"],
                    data=form.registration_data(),
                    language=translation.get_language() or "de",
                    ip=client_ip(request),
                )
            except services.RateLimited as error:
                form.add_error(None, error.messages)
                response = render(
                    request, "cohorts/interest_form.html", {"form": form, "cohorts": cohorts}
                )
                response.status_code = 429
                return response
            except services.DuplicateRegistration as error:
                return render(
                    request,
                    "cohorts/interest_duplicate.html",
                    {"message": error.messages[0]},
                    status=409,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                request.session["interest_email"] = form.cleaned_data["contact_email"]
                return redirect("cohorts:interest_sent")
    return _render(
        request,
        "cohorts/interest_form.html",
        {"form": form, "cohorts": cohorts, "honeypot": HONEYPOT},
        form,
    )


def interest_sent(request):
    return render(
        request,
        "cohorts/interest_sent.html",
        {
            "email": request.session.get("interest_email", ""),
            "valid_hours": int(services.CONFIRM_LINK_VALID.total_seconds()) // 3600,
        },
    )


def interest_confirm(request, token):
    """The link from the e-mail. GET asks for one click (so that mail scanners that open
    links do not confirm on the visitor's behalf); POST confirms."""
    registration = services.registration_by_token(token)
    language = registration.language if registration else translation.get_language()
    with translation.override(language):
        if request.method == "POST":
            result, registration = services.registration_confirm(token=token)
        elif registration is None:
            result = services.ConfirmResult.INVALID
        elif registration.state == InterestRegistration.State.UNCONFIRMED:
            result = "ask"
        elif registration.state == InterestRegistration.State.EXPIRED:
            result = services.ConfirmResult.EXPIRED
        else:
            result = services.ConfirmResult.ALREADY
        status = 404 if result == services.ConfirmResult.INVALID else 200
        if result == services.ConfirmResult.EXPIRED:
            status = 410
        response = render(
            request,
            "cohorts/interest_confirm.html",
            {"result": result, "registration": registration},
            status=status,
        )
    return response


# --------------------------------------------------------------------------- review queue


@role_required(OFFICE, PARTNER)
def registration_list(request):
    is_office = bool(selectors.office_organisation_ids(request.user))
    if not is_office:
        page = Paginator(selectors.registrations_for_partner(request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, "cohorts/registration_list_partner.html", {"page": page})
    queryset = selectors.registrations_for_office(request.user).annotate(note_count=Count("notes"))
    filterset = RegistrationFilter(
        request.GET or None,
        queryset=queryset,
        cohorts=selectors.cohorts_for(request.user).order_by("-start_date", "title"),
    )
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cohorts/registration_list.html",
        {"page": page, "filter": filterset, "query": query.urlencode()},
    )


def _registration_for(request, pk):
    return scoped_object_or_404(selectors.registrations_for(request.user), pk=pk)


@role_required(OFFICE, PARTNER)
def registration_detail(request, pk):
    registration = _registration_for(request, pk)
    require("cohorts.view_registration", request.user, registration)
    is_office = rules.has_perm("cohorts.review_registration", request.user, registration)
    return _registration_page(request, registration, is_office)


def _accept_form(registration, data=None):
    return AcceptForm(
        data,
        registration=registration,
        candidates=selectors.organisation_candidates(registration),
    )


def _registration_page(
    request, registration, is_office, decline_form=None, note_form=None, accept_form=None
):
    context = {"registration": registration, "is_office": is_office}
    if is_office:
        context["notes"] = RegistrationNote.objects.filter(
            registration=registration
        ).select_related("author")
        context["decline_form"] = decline_form or DeclineForm()
        context["note_form"] = note_form or NoteForm()
        if registration.state == InterestRegistration.State.CONFIRMED:
            accept_form = accept_form or _accept_form(registration)
            context["accept_form"] = accept_form
            context["candidates"] = list(accept_form.candidates.values())
    bad = (
        (decline_form and decline_form.errors)
        or (note_form and note_form.errors)
        or (accept_form and accept_form.errors)
    )
    return render(
        request,
        "cohorts/registration_detail.html",
        context,
        status=400 if bad else 200,
    )


def _office_registration(request, pk):
    registration = scoped_object_or_404(selectors.registrations_for_office(request.user), pk=pk)
    require("cohorts.review_registration", request.user, registration)
    return registration


@role_required(OFFICE)
@require_POST
def registration_accept(request, pk):
    registration = _office_registration(request, pk)
    form = _accept_form(registration, request.POST)
    if form.is_valid():
        try:
            registration = services.registration_accept(
                registration=registration,
                by=request.user,
                organisation=form.organisation(),
                create=form.cleaned_data["choice"] == AcceptForm.NEW,
                make_contact=form.cleaned_data["make_contact"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if registration.contact_user_id:
                message = _(
                    "Accepted and linked to %(organisation)s. %(name)s has been invited as "
                    "its partner contact."
                )
            else:
                message = _("Accepted and linked to %(organisation)s.")
            messages.success(
                request,
                message
                % {"name": registration.contact_name, "organisation": registration.organisation},
            )
            return redirect("cohorts:registration_detail", pk=pk)
    return _registration_page(request, registration, True, accept_form=form)


@role_required(OFFICE)
@require_POST
def registration_decline(request, pk):
    registration = _office_registration(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.registration_decline(
                registration=registration, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Declined. The contact has been told by e-mail."))
            return redirect("cohorts:registration_detail", pk=pk)
    return _registration_page(request, registration, True, decline_form=form)


@role_required(OFFICE)
@require_POST
def registration_note(request, pk):
    registration = _office_registration(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.registration_note_add(
            registration=registration, author=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, _("The note has been added."))
        return redirect("cohorts:registration_detail", pk=pk)
    return _registration_page(request, registration, True, note_form=form)
