"""The review queue of registrations of interest (programme office) and a partner
contact's own registrations."""

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import selectors, services
from cohorts.forms import AcceptForm, DeclineForm, NoteForm, RegistrationFilter
from cohorts.models import InterestRegistration, RegistrationNote
from cohorts.views._shared import OFFICE, PARTNER, apply_errors
from pioneer.permissions import require, role_required, scoped_object_or_404

PAGE_SIZE = 25


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
            apply_errors(form, error)
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
            apply_errors(form, error)
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
