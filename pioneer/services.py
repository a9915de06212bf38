"""Every write of the core: organisations, roles, invitations and notifications.

Functions are keyword-only, named <entity>_<verb>, atomic, and say their side effects.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from pioneer import notifications
from pioneer.models import Notification, Organisation, Role, User
from pioneer.rules import forget_roles

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A claim older than this belongs to a worker that died; the row is taken up again.
STALE_CLAIM = timedelta(minutes=15)


@transaction.atomic
def organisation_create(*, name, kind, parent=None, **fields):
    """Create an organisation after full validation. No side effects.

    Raises ValidationError (nothing saved) for a subordinate authority without its parent
    ministry, a parent that is not a ministry, or a name already taken for this kind.
    """
    organisation = Organisation(name=name, kind=kind, parent=parent, **fields)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def role_grant(*, user, kind, organisation=None):
    """Give a user a role (idempotent: granting it again changes nothing). No side effects.

    Raises ValidationError (nothing saved) for an unknown kind, or an office or partner
    role without an organisation. Participants and evaluators act for no organisation.
    """
    return _role_grant(user=user, kind=kind, organisation=organisation)[0]


def _role_grant(*, user, kind, organisation):
    if kind not in Role.ORGANISATION_BOUND:
        organisation = None
    role = Role(user=user, kind=kind, organisation=organisation)
    # Uniqueness is not an error here (granting twice is allowed); everything else is.
    role.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            role, created = Role.objects.get_or_create(
                user=user, kind=kind, organisation=organisation
            )
    except IntegrityError:  # a concurrent grant won the race; the role exists
        role, created = Role.objects.get(user=user, kind=kind, organisation=organisation), False
    forget_roles(user)
    return role, created


@transaction.atomic
def role_revoke(*, user, kind, organisation=None):
    """Take a role away (nothing happens if the user does not hold it). No side effects."""
    if kind not in Role.ORGANISATION_BOUND:
        organisation = None
    Role.objects.filter(user=user, kind=kind, organisation=organisation).delete()
    forget_roles(user)


@transaction.atomic
def user_invite(*, email, name, language, kind, organisation=None, invited_by=None):
    """Create (or find) a person, give them a role and tell them by e-mail.

    - a new person, or one who has never set a password: the `account.invitation`
      e-mail with a link to set a password (valid for PASSWORD_RESET_TIMEOUT, three days);
    - a person who already has a password: it is left alone; the `account.role_granted`
      e-mail tells them about the new role (nothing is sent if they held it already).

    Raises ValidationError (nothing saved) for an invalid address or role. Returns
    (user, created). Side effects: schedules the notification for now; the e-mail goes
    out after commit (inline without a broker). The ledger sends each at most once a day,
    so inviting the same person twice on one day sends one e-mail.
    """
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, name=name, language=language)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    role, role_created = _role_grant(user=user, kind=kind, organisation=organisation)
    if user.has_usable_password():
        if role_created:
            notification_schedule(
                kind="account.role_granted", target=role, recipient=user, due_at=timezone.now()
            )
    else:
        notification_schedule(
            kind="account.invitation", target=user, recipient=user, due_at=timezone.now()
        )
    return user, created


def invitation_link(user):
    """A password-set link for an invited person: allauth's password-reset key.

    The key is made when the e-mail is sent and expires after PASSWORD_RESET_TIMEOUT
    (three days); it stops working as soon as a password is set or the person signs in,
    because the key hashes the password and the last login.
    """
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    key = default_token_generator.make_token(user)
    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )


def notification_schedule(*, kind, target, recipient, due_at):
    """Put a notification in the ledger; a second call with the same key changes nothing.

    Side effects: when due now, queues the dispatcher after commit.
    """
    notifications.get_kind(kind)  # fail early on typos
    content_type = ContentType.objects.get_for_model(target)
    due_date = timezone.localdate(due_at)
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                kind=kind,
                content_type=content_type,
                object_id=target.pk,
                recipient=recipient,
                due_date=due_date,
                defaults={"due_at": due_at},
            )
    except IntegrityError:  # a concurrent writer won the race; theirs stands
        notification = Notification.objects.get(
            kind=kind,
            content_type=content_type,
            object_id=target.pk,
            recipient=recipient,
            due_date=due_date,
        )
        created = False
    if created and due_at <= timezone.now():
        from pioneer.tasks import send_notification

        transaction.on_commit(lambda: send_notification.delay(notification.pk))
    return notification, created


def notification_claim(*, notification_id, now=None):
    """Claim one notification for sending with a conditional UPDATE; True if we won."""
    now = now or timezone.now()
    claimable = Q(state=Notification.State.PENDING) | Q(
        state=Notification.State.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        Notification.objects.filter(claimable, pk=notification_id, due_at__lte=now).update(
            state=Notification.State.SENDING, claimed_at=now
        )
    )


def notification_send(*, notification_id):
    """Send one due notification if nobody else has (safe to run twice).

    Side effects: one e-mail (HTML and text, in the recipient's language); the rendered
    subject and body are kept for the in-app list.
    """
    if not notification_claim(notification_id=notification_id):
        return False
    notification = Notification.objects.select_related("recipient", "content_type").get(
        pk=notification_id
    )
    try:
        _deliver(notification)
    except Exception as exc:
        log.exception("Notification %s failed", notification.pk)
        notification.attempts += 1
        notification.last_error = repr(exc)[:2000]
        notification.state = (
            Notification.State.FAILED
            if notification.attempts >= MAX_ATTEMPTS
            else Notification.State.PENDING
        )
        notification.save(update_fields=["attempts", "last_error", "state"])
        return False
    notification.state = Notification.State.SENT
    notification.sent_at = timezone.now()
    notification.attempts += 1
    notification.save(update_fields=["state", "sent_at", "attempts", "subject", "body", "link"])
    return True


def _deliver(notification):
    kind = notifications.get_kind(notification.kind)
    recipient = notification.recipient
    target = notification.target
    if target is None:  # the object is gone: nothing left to tell
        raise LookupError("target vanished")
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        link = kind.link(target) if kind.link else ""
        context = {
            "recipient": recipient,
            "target": target,
            "notification": notification,
            "link": link,
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        if kind.extra_context:
            context.update(kind.extra_context(target, recipient))
        subject = " ".join(render_to_string(f"{kind.template}_subject.txt", context).split())
        text = render_to_string(f"{kind.template}.txt", context).strip()
        html = render_to_string(f"{kind.template}.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        to=[recipient.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()
    notification.subject = subject[:255]
    notification.body = text
    notification.link = "" if kind.secret_link else link[:500]


def notification_dispatch_due(*, now=None, limit=500):
    """Send everything that is due (the beat schedule calls this every few minutes)."""
    now = now or timezone.now()
    due = Notification.objects.filter(
        Q(state=Notification.State.PENDING)
        | Q(state=Notification.State.SENDING, claimed_at__lt=now - STALE_CLAIM),
        due_at__lte=now,
    ).order_by("due_at")
    sent = 0
    for notification_id in due.values_list("pk", flat=True)[:limit]:
        sent += notification_send(notification_id=notification_id)
    return sent


@transaction.atomic
def notification_mark_read(*, notification, user):
    """Mark one of the user's notifications read. No side effects."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user):
    return Notification.objects.filter(
        recipient=user, state=Notification.State.SENT, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def user_set_language(*, user, language):
    """Remember a person's language for pages, e-mails and documents."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def barrier_report_submit(*, page, description, name="", email="", language="de"):
    """Record a reported barrier and tell the accessibility contact.

    Side effects: one plain-text e-mail (German and English, the contact may read either)
    to settings.ACCESSIBILITY_CONTACT_EMAIL after commit; replies go to the reporter.
    """
    from django.core.mail import EmailMessage

    from pioneer.models import BarrierReport

    report = BarrierReport.objects.create(
        page=page, description=description, name=name, email=email, language=language
    )

    def _tell():
        EmailMessage(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Barriere gemeldet / barrier reported",
            body=(
                f"Seite / page: {page}\n\n{description}\n\n"
                f"Von / from: {name or '-'} <{email or '-'}>\n"
                f"Sprache / language: {language}\n"
                f"Nr. / no.: {report.pk}\n"
            ),
            to=[settings.ACCESSIBILITY_CONTACT_EMAIL],
            reply_to=[email] if email else None,
        ).send()

    transaction.on_commit(_tell)
    return report
