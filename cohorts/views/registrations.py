"""A registration of interest: its page, the decision, notes, the link sent again (the
lists of registrations live in `cohorts.views.lists`)."""

import rules
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import figures, selectors, services
from cohorts.forms import DecisionForm, NoteForm
from cohorts.models import InterestRegistration
from cohorts.views import rows as row_html
from cohorts.views._shared import OFFICE, PARTNER, apply_errors
from pioneer import fragments
from pioneer.permissions import require, role_required


def _registration_for(request, pk):
    return selectors.registration_for_or_404(request.user, pk)


@role_required(OFFICE, PARTNER)
def registration_detail(request, pk):
    registration = _registration_for(request, pk)
    require("cohorts.view_registration", request.user, registration)
    is_office = rules.has_perm("cohorts.review_registration", request.user, registration)
    return _registration_page(request, registration, is_office)


def _decision_form(registration, data=None, kept=False):
    """`kept`: the similar organisations as kept for the page as first shown
    (`selectors.organisation_candidates_kept`); a decision reads them anew."""
    find = selectors.organisation_candidates_kept if kept else selectors.organisation_candidates
    return DecisionForm(data, registration=registration, candidates=find(registration))


def _decision_facts(form):
    """Everything the unbound decision form shows beyond its class: its organisations to
    choose from (in the labels, the registration's name) and what is ticked first."""
    fields = form.fields
    return (
        tuple(fields["choice"].choices),
        fields["choice"].initial,
        fields["make_contact"].initial,
    )


def _kept_parts(registration, is_office):
    """The registration's facts (templates/cohorts/_registration_facts.html) and, for the
    office, its notes (written in Python), kept (`pioneer.fragments`) under the change
    token of cohorts.figures, which every write of what they show replaces (the
    registration, its cohort and programme, its organisations, the people named, a
    note): the same until then, without reading the notes or rendering the facts (a
    fifth of the page's CPU)."""

    def written():
        parts = {
            "facts": str(render_to_string("cohorts/_registration_facts.html", {"r": registration}))
        }
        if is_office:
            parts["notes"] = str(row_html.note_items(selectors.registration_notes(registration)))
        return parts

    return fragments.cached(
        "cohorts.registration_parts",
        (figures.token(), registration.pk, is_office),
        written,
        figures.SECONDS,
    )


def _registration_page(request, registration, is_office, note_form=None, decision_form=None):
    parts = _kept_parts(registration, is_office)
    context = {
        "registration": registration,
        "is_office": is_office,
        "facts_html": mark_safe(parts["facts"]),  # noqa: S308 (rendered by our template)
    }
    if is_office:
        # The notes and the similar organisations written in Python (cohorts.views.rows),
        # the forms as first shown kept rendered (pioneer.fragments): through the template
        # they were most of the page's time.
        context["notes"] = bool(parts["notes"])
        context["notes_html"] = mark_safe(parts["notes"])  # noqa: S308 (escaped in rows.py)
        context["note_form"] = shown_note_form = note_form or NoteForm()
        context["note_form_html"] = fragments.form_html(shown_note_form, "cohorts.note", ())
        state = registration.state
        if state == InterestRegistration.State.CONFIRMED:
            decision_form = decision_form or _decision_form(registration, kept=True)
            context["decision_form"] = decision_form
            context["candidates"] = candidates = list(decision_form.candidates.values())
            context["candidates_html"] = row_html.candidate_items(candidates)
            context["decision_form_html"] = fragments.form_html(
                decision_form, "cohorts.decision", _decision_facts(decision_form)
            )
        elif state != InterestRegistration.State.UNCONFIRMED:
            context["next_registration"] = selectors.registration_next_to_review(
                user=request.user, after=registration
            )
        if state == InterestRegistration.State.UNCONFIRMED:
            context["may_resend"] = True
    bad = (note_form and note_form.errors) or (decision_form and decision_form.errors)
    return render(
        request,
        "cohorts/registration_detail.html",
        context,
        status=400 if bad else 200,
    )


def _office_registration(request, pk):
    registration = selectors.office_registration_or_404(request.user, pk)
    require("cohorts.review_registration", request.user, registration)
    return registration


def _decided_message(request, registration):
    if registration.state == InterestRegistration.State.DECLINED:
        message = _("Declined. An e-mail with the reason to %(email)s has been scheduled.")
    elif registration.contact_user_id:
        message = _(
            "Accepted and linked to %(organisation)s. An e-mail telling %(email)s of the "
            "acceptance has been scheduled, and %(name)s has been invited as its partner "
            "contact."
        )
    else:
        message = _(
            "Accepted and linked to %(organisation)s. An e-mail telling %(email)s of the "
            "acceptance has been scheduled."
        )
    text = message % {
        "name": registration.contact_name,
        "email": registration.contact_email,
        "organisation": registration.organisation,
    }
    following = selectors.registration_next_to_review(user=request.user, after=registration)
    if following is not None:
        link = format_html(
            '<a class="kern-link" href="{}">{}</a>',
            reverse("cohorts:registration_detail", kwargs={"pk": following.pk}),
            _("Next registration to review: %(name)s") % {"name": following.organisation_name},
        )
        text = format_html("{} {}", text, link)
    messages.success(request, text)


def _decide(request, pk, data, confirmed):
    """Parse the one decision; without `confirmed` show what will happen (the e-mail
    as the contact will get it), with it decide."""
    registration = _office_registration(request, pk)
    if registration.state != InterestRegistration.State.CONFIRMED:
        if registration.state in (
            InterestRegistration.State.ACCEPTED,
            InterestRegistration.State.DECLINED,
        ):
            # Decided a moment ago (a second click, or a colleague): that is the result.
            messages.info(request, _("This registration has been decided already."))
        else:
            messages.error(
                request, _("Only confirmed registrations that are not decided can be decided.")
            )
        return redirect("cohorts:registration_detail", pk=pk)
    form = _decision_form(registration, data)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        if not confirmed:
            subject, text = services.registration_decision_preview(
                registration=registration, decision=decision, reason=form.cleaned_data["reason"]
            )
            organisation = form.organisation()
            return render(
                request,
                "cohorts/registration_decide_check.html",
                {
                    "registration": registration,
                    "form": form,
                    "decision": decision,
                    "organisation": organisation,
                    "subject": subject,
                    "text": text,
                },
            )
        try:
            registration = services.registration_decide(
                registration=registration,
                by=request.user,
                decision=decision,
                reason=form.cleaned_data["reason"],
                organisation=form.organisation() if decision == DecisionForm.ACCEPT else None,
                create=decision == DecisionForm.ACCEPT
                and form.cleaned_data["choice"] == DecisionForm.NEW,
                make_contact=form.cleaned_data["make_contact"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            _decided_message(request, registration)
            return redirect("cohorts:registration_detail", pk=pk)
    return _registration_page(request, registration, True, decision_form=form)


@role_required(OFFICE)
@require_POST
def registration_decide(request, pk):
    """The decision form: first the check page, then (with `confirmed`) the decision."""
    return _decide(request, pk, request.POST, confirmed=request.POST.get("confirmed") == "1")


@role_required(OFFICE)
@require_POST
def registration_resend_link(request, pk):
    """Send an unconfirmed registration's confirmation link again."""
    registration = _office_registration(request, pk)
    try:
        services.registration_resend_link(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "A new confirmation link to %(email)s has been scheduled; the previous "
                "link no longer works."
            )
            % {"email": registration.contact_email},
        )
    return redirect("cohorts:registration_detail", pk=pk)


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
