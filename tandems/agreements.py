"""The hospitation agreements: writes and the reads they need (services in the manner of
`tandems.services`: keyword-only, atomic, the actor as `by`, a refusal is a translated
ValidationError that changes nothing).

Per hospitation phase one agreement between the sending organisation (the guest's), the
host organisation and the person (the guest). Each party confirms it:
- the person: signed in, ticking the checklist (confidentiality, secondary employment,
  conflicts of interest);
- the sending organisation's representative (`sender_contact*`, e.g. the supervisor) and
  the host contact (`host_contact*`, who ticks the host's checklist): signed in when they
  have an account, otherwise through a personal link e-mailed to them (only its SHA-256 is
  stored; it works once and for LINK_VALID);
- or the office records a paper signature (optionally with the signed scan), which counts
  for every party that had not confirmed yet.

What the parties confirm is a *version*: the dates, the guest and host, the goals and the
two contacts. When one of them changes, `agreement_version` grows, the checklist is
unticked and every earlier confirmation stops counting (it stays visible as a confirmation
of an earlier version): they agreed to something else. The programme's agreement text is
frozen into the phase at its version's first confirmation, so an office editing the
programme's text later does not change what was confirmed; a new version takes the
programme's text of that moment.

A tandem does not move into a phase (`tandems.services.tandems_advance`) until that
phase's agreement has all three confirmations of its current version.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cohorts.models import Programme
from pioneer import jobs
from pioneer.access import SYSTEM, actor, check_own_office
from pioneer.models import Role
from pioneer.services import mail_schedule, notification_schedule
from pioneer.uploads import check_pdf
from tandems.models import (
    AgreementConfirmation,
    AgreementDocument,
    AgreementInvitation,
    AgreementTemplate,
    HospitationPhase,
    Milestone,
    Tandem,
)

Party = AgreementConfirmation.Party
PARTIES = (Party.PERSON, Party.SENDER, Party.HOST)
LINK_VALID = timedelta(days=14)
MAX_SCAN_MB = 10
PDF_JOB = "tandems.agreement_pdf"
INVITATION = "tandems.agreement_invitation"
LINK_MAIL = "mail.tandems_agreement_link"
CHECKLIST = ("confidentiality", "secondary_employment", "conflicts")

DEFAULT_TEXT = {
    "de": """## Gegenstand

Die entsendende Organisation, die aufnehmende Organisation und die hospitierende Person
vereinbaren eine Hospitation im Rahmen des Programms. Zeitraum, Ziele und Ansprechpersonen
stehen oben in dieser Vereinbarung.

## Rechtsstellung

Das Beschäftigungsverhältnis mit der entsendenden Organisation bleibt unverändert bestehen.
Die hospitierende Person wird nicht Beschäftigte der aufnehmenden Organisation und
übernimmt dort keine hoheitlichen Aufgaben.

## Verschwiegenheit

Die hospitierende Person wahrt über alle vertraulichen Angelegenheiten, die ihr während der
Hospitation bekannt werden, Verschwiegenheit, auch nach deren Ende.

## Nebentätigkeit

Die Hospitation ist keine Nebentätigkeit; eine Vergütung durch die aufnehmende
Organisation wird nicht gezahlt.

## Interessenkonflikte

Die hospitierende Person wirkt nicht an Entscheidungen mit, die die aufnehmende
Organisation betreffen. Mögliche Interessenkonflikte werden unverzüglich allen Beteiligten
und dem Programmbüro mitgeteilt.
""",
    "en": """## Subject

The sending organisation, the host organisation and the person hospitating agree on a
hospitation within the programme. Its dates, goals and contacts are stated above.

## Legal status

The employment with the sending organisation continues unchanged. The person does not
become an employee of the host organisation and exercises no public authority there.

## Confidentiality

The person keeps confidential everything confidential they learn during the hospitation,
also after it has ended.

## Secondary employment

The hospitation is no secondary employment; the host organisation pays no remuneration.

## Conflicts of interest

The person takes no part in decisions concerning the host organisation. Possible conflicts
of interest are reported at once to all parties and to the programme office.
""",
}


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _language(language):
    return "en" if (language or "").startswith("en") else "de"


# --- reads ------------------------------------------------------------------------------


def template_of(programme):
    """The programme's AgreementTemplate, or None (one query)."""
    return AgreementTemplate.objects.filter(programme=programme).first()


def template_text(template, language):
    language = _language(language)
    body = getattr(template, f"body_{language}", "") if template is not None else ""
    return body or DEFAULT_TEXT[language]


def agreement_text(phase, language, template=None):
    """The Markdown of the phase's agreement in `language`: frozen at its version's first
    confirmation, otherwise the programme's current text (pass `template` when it has
    been read already)."""
    frozen = getattr(phase, f"agreement_text_{_language(language)}")
    if frozen:
        return frozen
    if template is None:
        template = template_of(phase.tandem.cohort.programme_id)
    return template_text(template, language)


def current_confirmations(phase):
    """{party: confirmation} of the phase's current version (uses a prefetch when there
    is one)."""
    return {c.party: c for c in phase.confirmations.all() if c.version == phase.agreement_version}


def is_complete(phase):
    return len(current_confirmations(phase)) == len(PARTIES)


def missing_parties(phase):
    done = current_confirmations(phase)
    return [party for party in PARTIES if party not in done]


def parties_of(phase, user):
    """The parties `user` signs for in this phase (the guest, a named representative)."""
    if not user.is_authenticated:
        return []
    found = []
    if phase.guest.user_id == user.pk:
        found.append(Party.PERSON)
    if phase.sender_contact_id == user.pk:
        found.append(Party.SENDER)
    if phase.host_contact_id == user.pk:
        found.append(Party.HOST)
    return found


def confirmed_count():
    """An annotation: how many parties confirmed the current version of the phase."""
    rows = (
        AgreementConfirmation.objects.filter(
            phase=OuterRef("pk"), version=OuterRef("agreement_version")
        )
        .order_by()
        .values("phase")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def signed_on_paper():
    """An annotation: whether the office recorded a paper signature for the current
    version of the phase."""
    return Exists(
        AgreementConfirmation.objects.filter(
            phase=OuterRef("pk"), version=OuterRef("agreement_version"), via_paper=True
        )
    )


# The phases whose agreements matter now, by the tandem's state: phase 1 before it starts,
# both phases during phase 1 (the current one and the next), phase 2 during phase 2.
_BEFORE = (Tandem.State.PROPOSED, Tandem.State.AGREED)


def agreement_missing():
    """An expression on Tandem (for filter() or annotate()): whether the agreement of its
    current or next phase lacks a confirmation of its current version. A paper signature
    counts for every party (it records their confirmations); confirmations of an earlier
    version do not. One subquery, no query per row."""
    phases = (
        HospitationPhase.objects.filter(tandem=OuterRef("pk"))
        .filter(
            Q(number=1, tandem__state__in=_BEFORE)
            | Q(tandem__state=Tandem.State.PHASE_1)
            | Q(number=2, tandem__state=Tandem.State.PHASE_2)
        )
        .annotate(confirmed=confirmed_count())
        .filter(confirmed__lt=len(PARTIES))
    )
    return Exists(phases)


def board_agreement(state, phases):
    """The agreement the board shows for a tandem in `state`: phase 1 before it starts,
    during phase 1 phase 1 until it is complete and then phase 2, phase 2 during phase 2;
    None once the tandem is over. `phases`: number -> the phase's row with `confirmed` and
    `paper` (see `tandems.selectors.board_phases`): no query. The result names the phase's
    row as "phase"."""
    if state in _BEFORE:
        phase = phases.get(1)
    elif state == Tandem.State.PHASE_1:
        phase = phases.get(1)
        if phase is not None and phase["confirmed"] >= len(PARTIES):
            phase = phases.get(2, phase)
    elif state == Tandem.State.PHASE_2:
        phase = phases.get(2)
    else:
        phase = None
    if phase is None:
        return None
    return {
        "phase": phase,
        "confirmed": phase["confirmed"],
        "parties": len(PARTIES),
        "complete": phase["confirmed"] >= len(PARTIES),
        "paper": phase["paper"],
    }


def tandems_with_agreement(number):
    """The ids of tandems whose phase `number` has all three confirmations (a query to
    use as a subquery)."""
    return (
        HospitationPhase.objects.filter(number=number)
        .annotate(confirmed=confirmed_count())
        .filter(confirmed__gte=len(PARTIES))
        .values("tandem_id")
    )


def invitation_by_token(token):
    """The invitation a link belongs to, or None."""
    if not token or len(token) > 100:
        return None
    return (
        AgreementInvitation.objects.select_related(
            "phase__tandem__cohort__programme",
            "phase__guest__user",
            "phase__guest__organisation",
            "phase__host_organisation",
            "phase__host_contact",
            "phase__sender_contact",
        )
        .filter(token_hash=_hash(token))
        .first()
    )


def contact_choices(organisation):
    """The people who may represent `organisation` with an account: its partner contacts
    and programme office (one query)."""
    from pioneer.models import User

    return (
        User.objects.filter(
            roles__organisation=organisation,
            roles__kind__in=[Role.Kind.PARTNER_CONTACT, Role.Kind.PROGRAMME_OFFICE],
            is_active=True,
        )
        .distinct()
        .order_by("name", "email")
    )


# --- services ---------------------------------------------------------------------------


def _locked_phase(phase):
    return (
        HospitationPhase.objects.select_for_update(of=("self",))
        .select_related(
            "tandem__cohort__programme",
            "guest__user",
            "guest__organisation",
            "host_organisation",
            "host_contact",
            "sender_contact",
        )
        .get(pk=phase.pk)
    )


def _check_open(phase):
    if phase.tandem.state in (Tandem.State.COMPLETED, Tandem.State.ENDED_EARLY):
        raise ValidationError(_("This tandem has ended; its agreements stay as they are."))


def _check_checklist(party, checklist):
    if party in (Party.PERSON, Party.HOST) and set(CHECKLIST) - set(checklist or ()):
        raise ValidationError(
            _(
                "Please confirm all three points of the checklist: confidentiality, "
                "secondary employment and conflicts of interest."
            )
        )


def _record(phase, party, *, now, user=None, name="", email="", via_paper=False, via_link=False):
    """Store one confirmation of the current version (the caller holds the phase's lock)."""
    if not (phase.agreement_text_de or phase.agreement_text_en):
        template = template_of(phase.tandem.cohort.programme_id)
        phase.agreement_text_de = template_text(template, "de")
        phase.agreement_text_en = template_text(template, "en")
    if party in (Party.PERSON, Party.HOST) and not via_paper:
        prefix = "guest" if party == Party.PERSON else "host"
        for item in CHECKLIST:
            setattr(phase, f"{prefix}_{item}", True)
    phase.save(
        update_fields=[
            "agreement_text_de",
            "agreement_text_en",
            *(f"{p}_{item}" for p in ("guest", "host") for item in CHECKLIST),
        ]
    )
    confirmation = AgreementConfirmation.objects.create(
        phase=phase,
        party=party,
        version=phase.agreement_version,
        confirmed_by=user,
        name=(name or (user.name if user else ""))[:200],
        email=email or (user.email if user else ""),
        at=now,
        via_paper=via_paper,
        via_link=via_link,
    )
    # A link not used yet is spent once its party has confirmed (single use).
    AgreementInvitation.objects.filter(
        phase=phase, party=party, version=phase.agreement_version, used_at__isnull=True
    ).update(used_at=now)
    return confirmation


def _after_confirmations(phase, *, by, now):
    """Mark the milestone when phase 1's agreement is complete; queue the PDF."""
    if phase.number == 1 and is_complete(phase):
        Milestone.objects.filter(
            tandem_id=phase.tandem_id, kind=Milestone.Kind.AGREEMENT, done_at__isnull=True
        ).update(done_at=now)
    pdf_queue(phase=phase, by=by)


@transaction.atomic
def agreement_confirm(*, phase, party, by, checklist=(), now=None):
    """`by` confirms the current version of the phase's agreement for `party` (signed in).

    Guards: `by` is the party's signatory (the guest, or the named representative with
    an account); the tandem has not ended; the person and the host tick all of the
    checklist; a party confirms a version once. Side effects: the checklist, the frozen
    agreement text, an unused link of the party is spent, the "agreement confirmed"
    milestone, the PDF made again (a job).
    """
    phase = _locked_phase(phase)
    _check_open(phase)
    if by is SYSTEM or party not in parties_of(phase, by):
        raise ValidationError(_("You do not sign this agreement for this party."))
    if party in current_confirmations(phase):
        raise ValidationError(_("This party has confirmed the agreement already."))
    _check_checklist(party, checklist)
    now = now or timezone.now()
    confirmation = _record(phase, party, now=now, user=by)
    _after_confirmations(phase, by=by, now=now)
    return confirmation


class LinkResult:
    CONFIRMED = "confirmed"
    USED = "used"
    EXPIRED = "expired"
    OUTDATED = "outdated"
    INVALID = "invalid"


def link_state(invitation, now=None):
    """What a link can do now: None (it confirms), or a LinkResult saying why not."""
    now = now or timezone.now()
    if invitation is None or not invitation.token_hash:
        return LinkResult.INVALID
    if invitation.used_at is not None:
        return LinkResult.USED
    if invitation.expires_at is None or invitation.expires_at <= now:
        return LinkResult.EXPIRED
    if invitation.version != invitation.phase.agreement_version:
        return LinkResult.OUTDATED
    if invitation.phase.tandem.state in (Tandem.State.COMPLETED, Tandem.State.ENDED_EARLY):
        return LinkResult.EXPIRED
    return None


@transaction.atomic
def agreement_confirm_by_link(*, token, checklist=(), now=None):
    """A representative without an account confirms through their personal link.

    Returns (result, invitation): CONFIRMED once; USED for a second use, EXPIRED after
    LINK_VALID or when the tandem has ended, OUTDATED when the agreement has changed
    since the link was sent, INVALID for an unknown token. Raises ValidationError (and
    changes nothing) when the host leaves the checklist incomplete. Side effects as
    `agreement_confirm`; the link is spent.
    """
    now = now or timezone.now()
    found = invitation_by_token(token)
    if found is None:
        return LinkResult.INVALID, None
    invitation = AgreementInvitation.objects.select_for_update().get(pk=found.pk)
    invitation.phase = _locked_phase(found.phase)
    problem = link_state(invitation, now)
    if problem is not None:
        return problem, invitation
    phase = invitation.phase
    if invitation.party in current_confirmations(phase):
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        return LinkResult.USED, invitation
    _check_checklist(invitation.party, checklist)
    _record(
        phase,
        invitation.party,
        now=now,
        user=invitation.user,
        name=invitation.name,
        email=invitation.email,
        via_link=True,
    )
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    _after_confirmations(phase, by=None, now=now)
    return LinkResult.CONFIRMED, invitation


def _check_office(by, phase):
    check_own_office(by, phase.tandem.cohort.programme.organisation, field="__all__")


@transaction.atomic
def agreement_record_paper(*, phase, by, scan=None, now=None):
    """The office records that the agreement was signed on paper: every party that had
    not confirmed the current version counts as confirmed (marked "on paper"). A signed
    scan (PDF only, checked by content, at most MAX_SCAN_MB) may come with it; it is
    stored under a name the server makes, as the phase's current scan.
    Returns the parties recorded. Side effects: the milestone, the PDF made again."""
    phase = _locked_phase(phase)
    _check_office(by, phase)
    _check_open(phase)
    checked = check_pdf(scan, max_mb=MAX_SCAN_MB) if scan is not None else None
    missing = missing_parties(phase)
    if not missing and checked is None:
        raise ValidationError(_("All three parties have confirmed this agreement already."))
    now = now or timezone.now()
    for party in missing:
        user, name, email = phase.contact_of(party)
        _record(phase, party, now=now, user=user, name=name, email=email, via_paper=True)
    if checked is not None:
        _store_document(
            phase,
            kind=AgreementDocument.Kind.SCAN,
            language="",
            content=scan,
            display_name=checked.display_name,
            size=checked.size,
            made_by=by,
        )
    _after_confirmations(phase, by=by, now=now)
    return missing


def _invalidate(phase):
    """A new version: earlier confirmations stop counting, the checklist is unticked, the
    text is taken afresh from the programme. Returns whether confirmations were lost."""
    had = bool(current_confirmations(phase))
    phase.agreement_version += 1  # the caller holds the phase's lock
    for prefix in ("guest", "host"):
        for item in CHECKLIST:
            setattr(phase, f"{prefix}_{item}", False)
    phase.agreement_text_de = phase.agreement_text_en = ""
    phase.save()
    return had


def phase_changed(*, phase, by):
    """Called by the services that change what a phase's agreement says (dates, guest
    and host, goals, contacts): always a new version, so that no confirmation and no
    link of the old one counts (a host contact replaced before confirming cannot
    confirm any more); invitations for it once the tandem is agreed; the PDF made
    again. Returns whether confirmations were lost (the view says so)."""
    had = _invalidate(phase)
    if phase.tandem.state != Tandem.State.PROPOSED:
        # Agreed or running: the parties confirm the new version (once each).
        agreement_invite(phase=phase, by=by, check=False)
    pdf_queue(phase=phase, by=by)
    return had


def _contact_problems(label, organisation, user, name, email):
    problems = []
    if user is not None:
        if not contact_choices(organisation).filter(pk=user.pk).exists():
            problems.append(
                _("%(label)s must be a contact of %(organisation)s.")
                % {"label": label, "organisation": organisation}
            )
    elif bool(name.strip()) != bool(email.strip()):
        problems.append(
            _("%(label)s: please give both a name and an e-mail address, or neither.")
            % {"label": label}
        )
    return problems


@transaction.atomic
def phase_set_agreement(
    *,
    phase,
    by,
    goals,
    host_contact=None,
    host_contact_name="",
    host_contact_email="",
    sender_contact=None,
    sender_contact_name="",
    sender_contact_email="",
):
    """Set a phase's goals and the two organisations' representatives.

    The office of the cohort may change everything; the guest (the person) may change
    the goals only (the contacts must stay as they are). A representative with an account
    is a partner contact or office member of that organisation; otherwise a name with an
    e-mail address. A change makes a new version of the agreement (see the module's
    docstring). Returns (phase, lost) where `lost` says whether confirmations were lost.
    """
    phase = _locked_phase(phase)
    _check_open(phase)
    is_guest = by is not SYSTEM and by.pk == phase.guest.user_id
    if not is_guest:
        _check_office(by, phase)
    goals = (goals or "").strip()
    host_contact_name, host_contact_email = host_contact_name.strip(), host_contact_email.strip()
    sender_contact_name = sender_contact_name.strip()
    sender_contact_email = sender_contact_email.strip()
    if host_contact is not None:
        host_contact_name = host_contact_email = ""
    if sender_contact is not None:
        sender_contact_name = sender_contact_email = ""
    new = {
        "goals": goals,
        "host_contact_id": host_contact.pk if host_contact else None,
        "host_contact_name": host_contact_name,
        "host_contact_email": host_contact_email.lower(),
        "sender_contact_id": sender_contact.pk if sender_contact else None,
        "sender_contact_name": sender_contact_name,
        "sender_contact_email": sender_contact_email.lower(),
    }
    changed = [field for field, value in new.items() if getattr(phase, field) != value]
    if is_guest and set(changed) - {"goals"}:
        raise ValidationError(_("Only the programme office can change the contacts."))
    problems = _contact_problems(
        _("The host contact"),
        phase.host_organisation,
        host_contact,
        host_contact_name,
        host_contact_email,
    ) + _contact_problems(
        _("The representative of the sending organisation"),
        phase.guest.organisation,
        sender_contact,
        sender_contact_name,
        sender_contact_email,
    )
    if problems:
        raise ValidationError(problems)
    if not changed:
        return phase, False
    for field in changed:
        setattr(phase, field, new[field])
    phase._history_user = actor(by)
    phase.save(update_fields=[f.removesuffix("_id") for f in changed])
    return phase, phase_changed(phase=phase, by=by)


def _link_mail(invitation, token):
    """The e-mail with the personal link, rendered now (the token exists only now), in
    the programme's language (the recipient has no account to say theirs)."""
    language = settings.LANGUAGE_CODE
    path = reverse("tandems:agreement_link", kwargs={"token": token})
    context = {
        "invitation": invitation,
        "phase": invitation.phase,
        "link": settings.SITE_URL.rstrip("/") + path,
        "valid_until": invitation.expires_at,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    with translation.override(language):
        subject = _("Please confirm the hospitation agreement")
        text = render_to_string("tandems/agreements/link_mail.txt", context)
    mail_schedule(
        kind=LINK_MAIL,
        to=invitation.email,
        language=language,
        subject=subject,
        text=text,
        cause=invitation,
    )
    return path


def _new_link(invitation, now):
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.expires_at = now + LINK_VALID
    invitation.used_at = None
    invitation.save(update_fields=["token_hash", "expires_at", "used_at"])
    return _link_mail(invitation, token)


@transaction.atomic
def agreement_invite(*, phase, by, check=True, now=None):
    """Invite every party that has not confirmed the current version, once per version:
    through the notification ledger for a signatory with an account, by a personal link
    for a representative who has only an e-mail address. A party without a named
    signatory is skipped (the office names one first). Returns [(party, path or None)]
    of the invitations made now (path: the link made, for the office to pass on)."""
    phase = _locked_phase(phase)
    if check:
        _check_office(by, phase)
    _check_open(phase)
    now = now or timezone.now()
    made = []
    for party in missing_parties(phase):
        user, name, email = phase.contact_of(party)
        if user is None and not email:
            continue
        invitation, created = AgreementInvitation.objects.get_or_create(
            phase=phase,
            party=party,
            version=phase.agreement_version,
            defaults={"user": user, "name": name, "email": "" if user else email},
        )
        if not created:
            continue
        if user is not None:
            notification_schedule(kind=INVITATION, target=invitation, recipient=user, due_at=now)
            made.append((party, None))
        else:
            made.append((party, _new_link(invitation, now)))
    return made


@transaction.atomic
def agreement_link_renew(*, invitation, by, now=None):
    """A new personal link for a representative without an account (the old one stops
    working): e-mailed to them, and returned for the office to pass on."""
    phase = _locked_phase(invitation.phase)
    _check_office(by, phase)
    _check_open(phase)
    invitation = AgreementInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.user_id or not invitation.email:
        raise ValidationError(_("This representative confirms signed in; no link is needed."))
    if invitation.version != phase.agreement_version or invitation.party in (
        current_confirmations(phase)
    ):
        raise ValidationError(_("This invitation is no longer needed."))
    invitation.phase = phase
    return _new_link(invitation, now or timezone.now())


@transaction.atomic
def template_set(*, programme, by, body_de, body_en):
    """The office sets its programme's agreement text (Markdown, both languages; empty:
    the default). Agreements confirmed already keep the text they were confirmed with."""
    check_own_office(by, programme.organisation, field="__all__")
    if not programme.has_tandems:
        raise ValidationError(_("This programme has no tandems."))
    template, _created = AgreementTemplate.objects.update_or_create(
        programme=programme,
        defaults={"body_de": body_de.strip(), "body_en": body_en.strip(), "updated_by": by},
    )
    return template


def template_copy(*, source, target):
    """Copy the agreement text of `source` to `target` (a programme adopted from it)."""
    template = template_of(source)
    if template is None or target.pk is None:
        return None
    copy, _created = AgreementTemplate.objects.update_or_create(
        programme=target, defaults={"body_de": template.body_de, "body_en": template.body_en}
    )
    return copy


# --- documents --------------------------------------------------------------------------


def _store_document(phase, *, kind, language, content, display_name, size, made_by, **fields):
    """Save `content` (a file) under a name the server makes and make it the current
    document of its (kind, language); the caller holds the phase's lock."""
    from django.core.files import File

    from tandems.storage import agreement_storage

    latest = (
        AgreementDocument.objects.filter(phase=phase, kind=kind, language=language)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    ) or 0
    name = f"{phase.pk}/{kind}-{language or 'scan'}-v{latest + 1}-{secrets.token_hex(8)}.pdf"
    content.seek(0)
    stored = agreement_storage().save(name, File(content, name=name))
    AgreementDocument.objects.filter(
        phase=phase, kind=kind, language=language, is_current=True
    ).update(is_current=False)
    return AgreementDocument.objects.create(
        phase=phase,
        kind=kind,
        language=language,
        version=latest + 1,
        agreement_version=phase.agreement_version,
        file_name=stored,
        display_name=display_name,
        size=size,
        made_by=made_by,
        **fields,
    )


def pdf_queue(*, phase, by):
    """Queue the job that makes the agreement's PDFs again (after commit; safe to queue
    twice: a run with nothing new to make stores nothing)."""
    requester = by if by not in (None, SYSTEM) else phase.guest.user
    return jobs.job_start(kind=PDF_JOB, by=requester, target=phase)


def phases_filter_for(user):
    """A Q on HospitationPhase: who may read a phase's agreement (deny by default):
    the office running the cohort, the two partners, the named representatives, and
    the partner contacts of either partner's organisation."""
    from cohorts.selectors import office_organisation_ids

    if not user.is_authenticated:
        return Q(pk__in=[])
    partner_orgs = Role.objects.filter(user=user, kind=Role.Kind.PARTNER_CONTACT).values(
        "organisation_id"
    )
    return (
        Q(
            tandem__cohort__programme__organisation_id__in=office_organisation_ids(user),
            tandem__cohort__programme__format=Programme.Format.TANDEM,
        )
        | Q(tandem__administration__user=user)
        | Q(tandem__external__user=user)
        | Q(host_contact=user)
        | Q(sender_contact=user)
        | Q(tandem__administration__organisation_id__in=partner_orgs)
        | Q(tandem__external__organisation_id__in=partner_orgs)
    )
