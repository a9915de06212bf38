"""Writes of registrations of interest: the public submission with its double opt-in,
the confirmation, the office's review (accept, decline, notes) and expiry."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts import figures
from cohorts.models import InterestRegistration, RegistrationNote, organisation_key
from cohorts.selectors import organisation_candidates
from pioneer import mail, ratelimit
from pioneer import services as core_services
from pioneer.access import SYSTEM, actor, check_may_act_for, check_own_office
from pioneer.models import Organisation, Role, User
from pioneer.selectors import is_duplicate

# How long the confirmation link of a registration of interest stays valid.
CONFIRM_LINK_VALID = timedelta(hours=72)
# Registrations per hour from one e-mail address and from one IP address.
RATE_LIMIT = 5
RATE_WINDOW = 3600


class RateLimited(ValidationError):
    """Too many registrations from one address within the hour."""


class DuplicateRegistration(ValidationError):
    """The organisation has registered for this cohort already."""


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _over_rate_limit(email, ip):
    """Count this attempt per address and per IP; True when either went over RATE_LIMIT
    within the hour. Only hashes are kept, not the address itself."""
    keys = ["interest:email:" + _hash(email.strip().lower())]
    if ip:
        keys.append("interest:ip:" + _hash(ip))
    counts = [ratelimit.count(key, period=RATE_WINDOW) for key in keys]
    return any(n > RATE_LIMIT for n in counts)


def registration_expire_stale(*, now=None):
    """Mark unconfirmed registrations whose link has expired; returns how many."""
    now = now or timezone.now()
    expired = InterestRegistration.objects.filter(
        state=InterestRegistration.State.UNCONFIRMED, confirm_expires_at__lt=now
    ).update(state=InterestRegistration.State.EXPIRED)
    if expired:
        # Written without signals: the kept counts of registrations by state are stale.
        figures.changed()
    return expired


def registration_find_duplicate(*, cohort, organisation_name):
    """A live registration of the same organisation for the same cohort, or None."""
    registration_expire_stale()
    return (
        InterestRegistration.objects.filter(
            cohort=cohort,
            organisation_key=organisation_key(organisation_name),
            state__in=[
                InterestRegistration.State.UNCONFIRMED,
                InterestRegistration.State.CONFIRMED,
                InterestRegistration.State.ACCEPTED,
            ],
        )
        .order_by("-created_at")
        .first()
    )


def registration_submit(*, cohort, data, language, ip=None):
    """Record a registration of interest from the public form (double opt-in).

    Refuses (ValidationError subclasses) when the address or IP is over the rate limit,
    when the cohort does not take interest now, or when the organisation has registered
    for this cohort already. Side effects: one e-mail with the confirmation link to the
    contact, in `language`, after commit. Returns the registration.
    """
    email = data["contact_email"]
    if _over_rate_limit(email, ip):
        raise RateLimited(
            _("Too many registrations from this address. Please try again in an hour.")
        )
    if not cohort.accepts_interest():
        raise ValidationError(_("This cohort does not take registrations of interest now."))
    if registration_find_duplicate(cohort=cohort, organisation_name=data["organisation_name"]):
        raise DuplicateRegistration(
            _(
                "%(name)s has already registered interest for this cohort. The programme "
                "office will be in touch; there is no need to register again."
            )
            % {"name": data["organisation_name"]}
        )
    token = secrets.token_urlsafe(32)
    registration = InterestRegistration(
        cohort=cohort,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        privacy_version=settings.PRIVACY_NOTICE_VERSION,
        confirm_token_hash=_hash(token),
        confirm_expires_at=timezone.now() + CONFIRM_LINK_VALID,
        **data,
    )
    if registration.organisation_kind != Organisation.Kind.AUTHORITY:
        registration.parent_ministry = None
    registration.full_clean(exclude=["organisation_key", "confirm_token_hash"])
    try:
        with transaction.atomic():
            registration.save()
            _send_confirmation(registration, token)
    except IntegrityError:  # a concurrent twin won the race for the unique constraint
        raise DuplicateRegistration(
            _("%(name)s has already registered interest for this cohort.")
            % {"name": data["organisation_name"]}
        ) from None
    return registration


def confirmation_path(token):
    return reverse("cohorts:interest_confirm", kwargs={"token": token})


def _send_mail(registration, kind, template, context):
    """An e-mail to the registration's contact (an address, no account), in their
    language: rendered now (the confirmation link's token exists only now) and put in
    the ledger with the registration, so it is sent after the commit or, with the
    broker down, by the dispatcher; never lost, never failing the request."""
    context = {"registration": registration, "site_url": settings.SITE_URL.rstrip("/"), **context}
    subject, text, html = mail.render(template, context, language=registration.language)
    core_services.mail_schedule(
        kind=kind,
        to=registration.contact_email,
        language=registration.language,
        subject=subject,
        text=text,
        html=html,
        cause=registration,
    )


def _send_confirmation(registration, token):
    _send_mail(
        registration,
        "mail.interest_confirm",
        "cohorts/email/interest_confirm",
        {
            "link": confirmation_path(token),
            "valid_hours": int(CONFIRM_LINK_VALID.total_seconds()) // 3600,
        },
    )


def registration_by_token(token):
    """The registration a confirmation link belongs to, or None."""
    if not token or len(token) > 100:
        return None
    return (
        InterestRegistration.objects.select_related("cohort__programme")
        .filter(confirm_token_hash=_hash(token))
        .first()
    )


class ConfirmResult:
    CONFIRMED = "confirmed"
    ALREADY = "already"
    EXPIRED = "expired"
    INVALID = "invalid"


@transaction.atomic
def registration_confirm(*, token, now=None):
    """Confirm a registration with the token from the e-mail (the second opt-in).

    Returns (result, registration): CONFIRMED the first time, ALREADY when the link is
    used again, EXPIRED after CONFIRM_LINK_VALID (the registration is then marked
    expired, so the organisation can register afresh), INVALID for an unknown token.
    Side effects: tells the programme office (notification `cohorts.registration_confirmed`).
    """
    now = now or timezone.now()
    registration = registration_by_token(token)
    if registration is None:
        return ConfirmResult.INVALID, None
    registration = (
        InterestRegistration.objects.select_for_update()
        .select_related("cohort__programme")
        .get(pk=registration.pk)
    )
    states = InterestRegistration.State
    if registration.state == states.EXPIRED:
        return ConfirmResult.EXPIRED, registration
    if registration.state != states.UNCONFIRMED:
        return ConfirmResult.ALREADY, registration
    if registration.confirm_expires_at and registration.confirm_expires_at < now:
        registration.state = states.EXPIRED
        registration.save(update_fields=["state"])
        return ConfirmResult.EXPIRED, registration
    registration.state = states.CONFIRMED
    registration.confirmed_at = now
    registration.save(update_fields=["state", "confirmed_at"])
    offices = User.objects.filter(
        is_active=True,
        roles__kind=Role.Kind.PROGRAMME_OFFICE,
        roles__organisation_id=registration.cohort.programme.organisation_id,
    ).distinct()
    for member in offices:
        core_services.notification_schedule(
            kind="cohorts.registration_confirmed",
            target=registration,
            recipient=member,
            due_at=now,
        )
    return ConfirmResult.CONFIRMED, registration


@transaction.atomic
def registration_accept(*, registration, by, organisation=None, create=False, make_contact):
    """Accept a confirmed registration and link it to an organisation the office chose.

    Exactly one of: `organisation` (an existing one: one the office acts for already, or
    one of `selectors.organisation_candidates`, the organisations that resemble the
    registration's) or `create=True` (a new organisation from the registration's
    details). A matching name is never used on its own: the office decides.

    Side effects: the programme's organiser is linked to the organisation
    (`PartnerLink`); with `make_contact`, the contact is invited as the organisation's
    partner contact (the `account.invitation` e-mail, or `account.role_granted` for an
    existing account); the contact is told of the acceptance and what happens next (the
    `mail.interest_accepted` e-mail, in their language, after commit).
    Raises ValidationError (nothing saved) otherwise.
    """
    registration = (
        InterestRegistration.objects.select_for_update()
        .select_related("cohort__programme")
        .get(pk=registration.pk)
    )
    if registration.state == InterestRegistration.State.ACCEPTED:
        # Accepted a moment ago (a second click, or a colleague): that is the result.
        return registration
    if registration.state != InterestRegistration.State.CONFIRMED:
        raise ValidationError(
            _("Only confirmed registrations that are not decided can be accepted.")
        )
    office_organisation = registration.cohort.programme.organisation
    check_own_office(by, office_organisation)
    if (organisation is None) == (not create):
        raise ValidationError({"choice": _("Choose an existing organisation or create a new one.")})
    duplicate = _(
        "An organisation of this name and kind exists already; link the registration to it instead."
    )
    if create:
        # The same normalised name in the same kind is the same organisation twice.
        if is_duplicate(
            registration.organisation_name,
            registration.organisation_kind,
            organisation_candidates(registration),
        ):
            raise ValidationError({"choice": duplicate})
        try:
            organisation = core_services.organisation_create(
                name=registration.organisation_name,
                kind=registration.organisation_kind,
                parent=registration.parent_ministry
                if registration.organisation_kind == Organisation.Kind.AUTHORITY
                else None,
                street=registration.street,
                postcode=registration.postcode,
                city=registration.city,
                # The registrant's own organisation, linked below by this very decision.
                by=SYSTEM,
            )
        except ValidationError as error:
            if "__all__" in getattr(error, "error_dict", {}):
                raise ValidationError({"choice": duplicate}) from None
            raise
    else:
        allowed = {org.pk for org in organisation_candidates(registration)}
        if organisation.pk not in allowed:
            check_may_act_for(by, organisation, field="choice")
    core_services.partner_link(office_organisation=office_organisation, partner=organisation, by=by)
    contact = None
    if make_contact:
        contact, _created = core_services.user_invite(
            email=registration.contact_email,
            name=registration.contact_name,
            language=registration.language,
            kind=Role.Kind.PARTNER_CONTACT,
            organisation=organisation,
            by=by,
        )
    registration.organisation = organisation
    registration.contact_user = contact
    registration.state = InterestRegistration.State.ACCEPTED
    registration.decided_by = actor(by)
    registration.decided_at = timezone.now()
    registration.save(
        update_fields=["organisation", "contact_user", "state", "decided_by", "decided_at"]
    )
    _send_mail(registration, "mail.interest_accepted", "cohorts/email/interest_accepted", {})
    return registration


@transaction.atomic
def registration_decline(*, registration, by, reason):
    """Decline a confirmed registration with a reason that the contact is told.

    Side effects: one e-mail to the contact, in their language, after commit.
    """
    registration = InterestRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.state == InterestRegistration.State.DECLINED:
        # Declined a moment ago: the contact has been told once, which is the result.
        return registration
    if registration.state != InterestRegistration.State.CONFIRMED:
        raise ValidationError(
            _("Only confirmed registrations that are not decided can be declined.")
        )
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Please give the reason; the contact is told.")})
    registration.state = InterestRegistration.State.DECLINED
    registration.decline_reason = reason.strip()
    registration.decided_by = actor(by)
    registration.decided_at = timezone.now()
    registration.save(update_fields=["state", "decline_reason", "decided_by", "decided_at"])
    _send_mail(registration, "mail.interest_declined", "cohorts/email/interest_declined", {})
    return registration


# A note with the same text by the same person within this time is the same submission.
NOTE_REPEAT_WINDOW = timedelta(minutes=2)


@transaction.atomic
def registration_note_add(*, registration, author, text):
    """Add an internal note of the programme office. No side effects.

    The same note posted twice at once (a double click, a resent form) is kept once:
    the registration's row is locked, so the second sees the first and returns it.
    """
    if not text or not text.strip():
        raise ValidationError({"text": _("The note is empty.")})
    text = text.strip()
    InterestRegistration.objects.select_for_update().filter(pk=registration.pk).first()
    twin = (
        RegistrationNote.objects.filter(
            registration=registration,
            author=author,
            text=text,
            created_at__gte=timezone.now() - NOTE_REPEAT_WINDOW,
        )
        .order_by("-pk")
        .first()
    )
    if twin is not None:
        return twin
    return RegistrationNote.objects.create(registration=registration, author=author, text=text)


# ------------------------------------------------------------------------ retention

# The privacy notice's promises: a registration never confirmed is deleted this long
# after its link expired (the confirmation e-mail says "nothing will be kept"), a
# declined one this long after the decision.
UNCONFIRMED_KEPT = timedelta(days=30)
DECLINED_KEPT = timedelta(days=183)


@transaction.atomic
def registration_purge_expired(*, now):
    """Apply the retention periods of the privacy notice to registrations of interest.

    Marks unconfirmed registrations whose link has expired as expired, then deletes
    (with their notes) the expired ones whose link expired more than UNCONFIRMED_KEPT
    ago and the declined ones decided more than DECLINED_KEPT ago. Safe to run twice:
    a second run finds nothing left. Returns {"expired": n, "deleted_unconfirmed": n,
    "deleted_declined": n}.
    """
    states = InterestRegistration.State
    expired = registration_expire_stale(now=now)
    cutoff = now - UNCONFIRMED_KEPT
    unconfirmed = InterestRegistration.objects.filter(state=states.EXPIRED).filter(
        Q(confirm_expires_at__lt=cutoff) | Q(confirm_expires_at__isnull=True, created_at__lt=cutoff)
    )
    declined = InterestRegistration.objects.filter(
        state=states.DECLINED, decided_at__lt=now - DECLINED_KEPT
    )
    return {
        "expired": expired,
        "deleted_unconfirmed": unconfirmed.delete()[1].get(InterestRegistration._meta.label, 0),
        "deleted_declined": declined.delete()[1].get(InterestRegistration._meta.label, 0),
    }


# ------------------------------------------------------------------ the one decision

ACCEPT = "accept"
DECLINE = "decline"


def registration_decision_preview(*, registration, decision, reason=""):
    """The e-mail a decision would send the contact, rendered as the ledger renders it
    (same templates, the registration's language) without sending or saving anything.
    Returns (subject, text)."""
    context = {"registration": registration, "site_url": settings.SITE_URL.rstrip("/")}
    if decision == DECLINE:
        template = "cohorts/email/interest_declined"
        # An unsaved stand-in, so the reason shows in the preview and the row is untouched.
        shown = InterestRegistration(
            **{
                f.attname: getattr(registration, f.attname)
                for f in InterestRegistration._meta.concrete_fields
            }
        )
        shown.decline_reason = (reason or "").strip()
        context["registration"] = shown
    else:
        template = "cohorts/email/interest_accepted"
    subject, text, _html = mail.render(
        template, context, language=registration.language, html=False
    )
    return subject, text


def registration_decide(
    *, registration, by, decision, reason="", organisation=None, create=False, make_contact=False
):
    """The office's one decision on a confirmed registration: accept or decline.

    `decision` is ACCEPT (with the organisation choice of `registration_accept`) or
    DECLINE (with a `reason`, required only then). Raises ValidationError (nothing
    changed) for an unknown decision or a decline without reason. Side effects: those of
    `registration_accept` (including the acceptance e-mail) or `registration_decline`.
    """
    if decision == ACCEPT:
        return registration_accept(
            registration=registration,
            by=by,
            organisation=organisation,
            create=create,
            make_contact=make_contact,
        )
    if decision == DECLINE:
        if not reason or not reason.strip():
            raise ValidationError({"reason": _("Please give the reason; the contact is told.")})
        return registration_decline(registration=registration, by=by, reason=reason)
    raise ValidationError({"decision": _("Choose whether to accept or to decline.")})


# ------------------------------------------------------------ sending the link again

# The office may send a confirmation link again at most this often per registration.
RESEND_INTERVAL = timedelta(minutes=10)


class ResendTooSoon(ValidationError):
    """The confirmation link was sent less than RESEND_INTERVAL ago."""


@transaction.atomic
def registration_resend_link(*, registration, by, now=None):
    """Send an unconfirmed registration's confirmation link again, with a new token.

    The old link stops working (its hash is replaced) and the expiry starts afresh.
    Refused (ValidationError, nothing changed) unless the registration is unconfirmed,
    and (ResendTooSoon) within RESEND_INTERVAL of the last link: the last sending is
    the expiry minus CONFIRM_LINK_VALID, so no extra field or cache is needed.
    Side effects: one e-mail through the ledger to the contact, in their language.
    """
    now = now or timezone.now()
    registration = (
        InterestRegistration.objects.select_for_update()
        .select_related("cohort__programme")
        .get(pk=registration.pk)
    )
    check_own_office(by, registration.cohort.programme.organisation)
    if registration.state != InterestRegistration.State.UNCONFIRMED:
        raise ValidationError(_("Only an unconfirmed registration's link can be sent again."))
    last_sent = (
        registration.confirm_expires_at - CONFIRM_LINK_VALID
        if registration.confirm_expires_at
        else None
    )
    if last_sent and now - last_sent < RESEND_INTERVAL:
        minutes = int(RESEND_INTERVAL.total_seconds()) // 60
        raise ResendTooSoon(
            _(
                "The link was sent less than %(minutes)d minutes ago. Nothing was sent; "
                "please try again later."
            )
            % {"minutes": minutes}
        )
    token = secrets.token_urlsafe(32)
    registration.confirm_token_hash = _hash(token)
    registration.confirm_expires_at = now + CONFIRM_LINK_VALID
    registration.save(update_fields=["confirm_token_hash", "confirm_expires_at"])
    _send_confirmation(registration, token)
    return registration
