"""Views of the hospitation agreements (thin: scope, permission, form, one service call).

- the agreement of a phase: everyone who may read it (the office running the cohort, the
  two partners, the named representatives, partner contacts of either organisation); a
  signatory confirms it here when signed in;
- the personal link of a representative without an account (no sign-in; GET asks, POST
  confirms, so a mail scanner opening the link confirms nothing);
- the office: goals and representatives (the guest: the goals), invitations, a paper
  signature with the signed scan, the programme's agreement text;
- the guarded download of a stored PDF; a partner contact's tandems.
Someone else's phase answers 404 (the querysets come from the selectors).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.selectors import programmes_for
from pioneer.forms import apply_errors
from pioneer.markdown import render as markdown
from pioneer.models import Role
from pioneer.permissions import require, role_required, scoped_object_or_404
from pioneer.rules import roles_of
from tandems import agreement_selectors as selectors
from tandems import agreements
from tandems.agreement_forms import (
    ConfirmForm,
    LinkConfirmForm,
    PaperForm,
    PhaseAgreementForm,
    TemplateForm,
)
from tandems.storage import agreement_storage

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTNER = Role.Kind.PARTNER_CONTACT
Party = agreements.Party


def _phase(request, pk):
    return scoped_object_or_404(selectors.agreement_page(request.user), pk=pk)


def _runs(user, phase):
    import rules

    return rules.has_perm("tandems.manage_tandems", user, phase.tandem.cohort)


def _status(form):
    return 400 if form is not None and form.errors else 200


def _rows(phase):
    done = agreements.current_confirmations(phase)
    return [
        {
            "party": party,
            "label": Party(party).label,
            "signatory": _signatory(phase, party),
            "confirmation": done.get(party),
        }
        for party in agreements.PARTIES
    ]


def _signatory(phase, party):
    user, name, email = phase.contact_of(party)
    return str(user) if user else name


def _page_context(request, phase):
    language = translation.get_language()
    earlier = [c for c in phase.confirmations.all() if c.version != phase.agreement_version]
    return {
        "phase": phase,
        "tandem": phase.tandem,
        "cohort": phase.tandem.cohort,
        "rows": _rows(phase),
        "earlier": earlier,
        "complete": agreements.is_complete(phase),
        "body": markdown(agreements.agreement_text(phase, language)),
        "documents": _documents(phase, language),
    }


def _documents(phase, language):
    """The reader's current PDF (or the other language's when theirs is not made yet)
    and the current scan."""
    current = phase.current_documents
    generated = [d for d in current if d.kind == "generated"]
    mine = [d for d in generated if d.language == language] or generated[:1]
    return mine + [d for d in current if d.kind == "scan"]


@login_required
def agreement(request, pk):
    """The agreement of a phase; a signatory confirms it here (POST)."""
    phase = _phase(request, pk)
    parties = [
        p
        for p in agreements.parties_of(phase, request.user)
        if p not in agreements.current_confirmations(phase)
    ]
    open_ = phase.tandem.state not in ("completed", "ended_early")
    form = None
    if parties and open_:
        party = request.POST.get("party") if request.method == "POST" else parties[0]
        party = party if party in parties else parties[0]
        form = ConfirmForm(
            request.POST if request.method == "POST" else None,
            parties=parties,
            with_checklist=party in (Party.PERSON, Party.HOST),
            initial={"party": party},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        require("tandems.confirm_agreement", request.user, phase)
        if form.is_valid():
            try:
                agreements.agreement_confirm(
                    phase=phase,
                    party=form.cleaned_data["party"],
                    checklist=form.cleaned_data.get("checklist", []),
                    by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Thank you: your confirmation has been recorded."))
                return redirect("tandems:agreement", pk=phase.pk)
    return render(
        request,
        "tandems/agreements/agreement.html",
        {
            **_page_context(request, phase),
            "form": form,
            "runs": _runs(request.user, phase),
            "may_edit_goals": open_ and request.user.has_perm("tandems.edit_goals", phase),
        },
        status=_status(form),
    )


def agreement_link(request, token):
    """The personal link of a representative without an account."""
    invitation = agreements.invitation_by_token(token)
    problem = agreements.link_state(invitation)
    form = None
    result = problem
    if problem is None:
        with_checklist = invitation.party == Party.HOST
        form = LinkConfirmForm(
            request.POST if request.method == "POST" else None, with_checklist=with_checklist
        )
        if request.method == "POST" and form.is_valid():
            try:
                result, invitation = agreements.agreement_confirm_by_link(
                    token=token, checklist=form.cleaned_data.get("checklist", [])
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                form = None
    status = {
        agreements.LinkResult.INVALID: 404,
        agreements.LinkResult.EXPIRED: 410,
        agreements.LinkResult.OUTDATED: 410,
    }.get(result, _status(form))
    context = {"result": result, "form": form, "invitation": invitation}
    if invitation is not None and result in (None, agreements.LinkResult.CONFIRMED):
        phase = invitation.phase
        context.update(
            {
                "phase": phase,
                "party_label": Party(invitation.party).label,
                "body": markdown(agreements.agreement_text(phase, translation.get_language())),
            }
        )
    response = render(request, "tandems/agreements/link.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def agreement_edit(request, pk):
    """Goals and representatives (the office), or the goals (the guest)."""
    phase = _phase(request, pk)
    runs = _runs(request.user, phase)
    if not runs and not request.user.has_perm("tandems.edit_goals", phase):
        raise PermissionDenied
    goals_only = not runs
    initial = {
        "goals": phase.goals,
        "host_contact": phase.host_contact_id,
        "host_contact_name": phase.host_contact_name,
        "host_contact_email": phase.host_contact_email,
        "sender_contact": phase.sender_contact_id,
        "sender_contact_name": phase.sender_contact_name,
        "sender_contact_email": phase.sender_contact_email,
    }
    form = PhaseAgreementForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        goals_only=goals_only,
        host_choices=agreements.contact_choices(phase.host_organisation),
        sender_choices=agreements.contact_choices(phase.guest.organisation),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"goals": data["goals"]}
        if goals_only:
            fields.update(
                host_contact=phase.host_contact,
                host_contact_name=phase.host_contact_name,
                host_contact_email=phase.host_contact_email,
                sender_contact=phase.sender_contact,
                sender_contact_name=phase.sender_contact_name,
                sender_contact_email=phase.sender_contact_email,
            )
        else:
            fields.update(
                {k: data[k] or ("" if k.endswith(("_name", "_email")) else None) for k in data}
            )
            fields["goals"] = data["goals"]
        try:
            _phase_obj, lost = agreements.phase_set_agreement(
                phase=phase, by=request.user, **fields
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if lost:
                messages.warning(
                    request,
                    _(
                        "Saved. The agreement has changed, so the confirmations given so "
                        "far no longer count: all three parties confirm it again."
                    ),
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("tandems:agreement", pk=phase.pk)
    return render(
        request,
        "tandems/agreements/edit.html",
        {
            "phase": phase,
            "tandem": phase.tandem,
            "form": form,
            "has_confirmations": bool(agreements.current_confirmations(phase)),
        },
        status=_status(form),
    )


def _office_phase(request, pk):
    phase = _phase(request, pk)
    require("tandems.manage_tandems", request.user, phase.tandem.cohort)
    return phase


@role_required(OFFICE)
def agreement_paper(request, pk):
    """The office records a paper signature, with the signed scan if there is one."""
    phase = _office_phase(request, pk)
    form = PaperForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreements.agreement_record_paper(
                phase=phase, by=request.user, scan=form.cleaned_data.get("scan")
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The paper signature has been recorded."))
            return redirect("tandems:agreement", pk=phase.pk)
    return render(
        request,
        "tandems/agreements/paper.html",
        {"phase": phase, "tandem": phase.tandem, "form": form, "rows": _rows(phase)},
        status=_status(form),
    )


@role_required(OFFICE)
@require_POST
def agreement_invite(request, pk):
    """Invite the parties that have not confirmed (once per version of the agreement);
    links made now are shown once, for the office to pass on by another way."""
    phase = _office_phase(request, pk)
    try:
        made = agreements.agreement_invite(phase=phase, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tandems:agreement", pk=phase.pk)
    if not made:
        messages.info(
            request,
            _(
                "Nobody new to invite: everyone named has been invited to this version "
                "already, or has confirmed it."
            ),
        )
        return redirect("tandems:agreement", pk=phase.pk)
    links = [
        {"label": Party(party).label, "url": request.build_absolute_uri(path)}
        for party, path in made
        if path
    ]
    return render(
        request,
        "tandems/agreements/invited.html",
        {"phase": phase, "tandem": phase.tandem, "count": len(made), "links": links},
    )


@login_required
def agreement_document(request, pk):
    """A stored PDF of an agreement, for whoever may read the agreement."""
    document = scoped_object_or_404(selectors.documents_for(request.user), pk=pk)
    try:
        handle = agreement_storage().open(document.file_name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.display_name,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(OFFICE)
def agreement_template(request, programme_pk):
    """The programme's agreement text (Markdown, German and English)."""
    programme = scoped_object_or_404(programmes_for(request.user), pk=programme_pk)
    if not programme.has_tandems:
        raise Http404
    template = agreements.template_of(programme)
    initial = {
        "body_de": agreements.template_text(template, "de"),
        "body_en": agreements.template_text(template, "en"),
    }
    form = TemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.template_set(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The agreement text has been saved. Agreements confirmed already keep "
                    "the text they were confirmed with."
                ),
            )
            return redirect("tandems:agreement_template", programme_pk=programme.pk)
    language = translation.get_language()
    preview = form.data.get(f"body_{language[:2]}") if form.is_bound else None
    return render(
        request,
        "tandems/agreements/template.html",
        {
            "programme": programme,
            "form": form,
            "preview": markdown(
                preview if preview is not None else initial.get(f"body_{language[:2]}", "")
            ),
        },
        status=_status(form),
    )


@role_required(PARTNER)
def partner_tandems(request):
    """A partner contact's view: the tandems and phases of their organisation's people,
    where they are the host contact, and how far each agreement is. Never journals."""
    tandems = list(selectors.partner_tandems(request.user)[:200])
    today = timezone.localdate()
    return render(
        request,
        "tandems/agreements/partner_tandems.html",
        {
            "tandems": tandems,
            "today": today,
            "organisations": list(selectors.partner_organisations(request.user)),
            "is_partner": PARTNER in roles_of(request.user).kinds,
            "parties": len(agreements.PARTIES),
        },
    )
