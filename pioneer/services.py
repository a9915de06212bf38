"""Every write of the core: organisations, roles, invitations and notifications.

Functions are keyword-only, named <entity>_<verb>, atomic, and say their side effects.
"""

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pioneer import mail, notifications
from pioneer.models import Notification, Organisation, Role, User
from pioneer.rules import forget_roles

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A claim older than this belongs to a worker that died; the row is taken up again.
# It is longer than any task may run (task_time_limit): a live sender keeps its claim.
STALE_CLAIM = timedelta(minutes=15)
# A failed send is due again after this, doubling with each attempt (5, 10, 20, 40 min).
RETRY_DELAY = timedelta(minutes=5)


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
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address invited twice at once: theirs stands
            user, created = User.objects.get(email__iexact=email), False
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

    The key is (kind, target, recipient, due date in local time): each is sent at most
    once, however often it is scheduled, even by two writers at the same moment.
    Returns (notification, created). Raises LookupError for an unregistered kind.
    Side effects: when it is due already, its sending is queued after commit (inline
    without a broker); a later one is sent by the dispatcher on the beat schedule.
    """
    notifications.get_kind(kind)  # fail early on typos
    key = {
        "kind": kind,
        "content_type": ContentType.objects.get_for_model(target),
        "object_id": target.pk,
        "recipient": recipient,
        "due_date": timezone.localdate(due_at),
    }
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                **key, defaults={"due_at": due_at}
            )
    except IntegrityError:  # a concurrent writer won the race; theirs stands
        notification, created = Notification.objects.get(**key), False
    if created and due_at <= timezone.now():
        _queue_send(notification.pk)
    return notification, created


def _queue_send(notification_id):
    from pioneer.tasks import send_notification

    # robust: a broker that is down must not break the request that scheduled this;
    # the row stays pending and the dispatcher's next run sends it.
    transaction.on_commit(lambda: send_notification.delay(notification_id), robust=True)


def _claimable(now):
    """Due rows nobody is sending, and claims of workers that died (older than
    STALE_CLAIM, longer than any task may run) with attempts left."""
    return Q(due_at__lte=now) & (
        Q(state=Notification.State.PENDING)
        | Q(
            state=Notification.State.SENDING,
            claimed_at__lt=now - STALE_CLAIM,
            attempts__lt=MAX_ATTEMPTS,
        )
    )


def notification_claim(*, notification_id, now=None):
    """Claim one due notification for sending with a conditional UPDATE.

    Of any number of callers at once, exactly one changes the row and gets its claim
    time back; the others get None. Claiming counts an attempt, so a notification
    whose sending kills the worker every time still ends FAILED.
    """
    now = now or timezone.now()
    won = Notification.objects.filter(_claimable(now), pk=notification_id).update(
        state=Notification.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return now if won else None


def notification_send(*, notification_id, now=None):
    """Send one due notification unless it is sent, being sent or not due (safe to run
    twice). Returns True if this call sent it.

    Side effects: one e-mail (HTML and plain text, in the recipient's language); the
    rendered subject and text are kept for the in-app list, a secret link never.
    A failure puts it back to pending, due again after RETRY_DELAY (doubling with
    each attempt), until MAX_ATTEMPTS: then FAILED. A notification whose object is
    gone, or whose recipient is deactivated, is CANCELLED.
    """
    claimed_at = notification_claim(notification_id=notification_id, now=now)
    if claimed_at is None:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    # Every write below is guarded by our claim: a sender that lost it writes nothing.
    ours = Notification.objects.filter(
        pk=notification_id, state=Notification.State.SENDING, claimed_at=claimed_at
    )
    target = notification.target
    if target is None or not notification.recipient.is_active:
        reason = "target deleted" if target is None else "recipient deactivated"
        ours.update(state=Notification.State.CANCELLED, last_error=reason)
        return False
    try:
        message, stored = _render(notification, target)
        message.send()
    except SoftTimeLimitExceeded as exc:  # the task's time is up: record, let Celery stop
        _record_failure(ours, notification, exc)
        raise
    except Exception as exc:
        log.exception("Notification %s failed (attempt %s)", notification.pk, notification.attempts)
        _record_failure(ours, notification, exc)
        return False
    ours.update(state=Notification.State.SENT, sent_at=timezone.now(), last_error="", **stored)
    return True


def _record_failure(ours, notification, exc):
    if notification.attempts >= MAX_ATTEMPTS:
        ours.update(state=Notification.State.FAILED, last_error=repr(exc)[:2000])
    else:
        retry_at = timezone.now() + RETRY_DELAY * 2 ** (notification.attempts - 1)
        ours.update(state=Notification.State.PENDING, due_at=retry_at, last_error=repr(exc)[:2000])


def _render(notification, target):
    """The e-mail, and what the ledger keeps of it (subject, text, link)."""
    kind = notifications.get_kind(notification.kind)
    recipient = notification.recipient
    site_url = settings.SITE_URL.rstrip("/")
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        link = kind.link(target) if kind.link else ""
        context = {
            "recipient": recipient,
            "target": target,
            "notification": notification,
            "link": link,
            "site_url": site_url,
        }
        if kind.extra_context:
            context.update(kind.extra_context(target, recipient))
    subject, text, html = mail.render(kind.template, context, language=language)
    stored_text = text
    if kind.secret_link and link:
        # The key in the link is as good as a password: it goes out by e-mail only.
        with translation.override(language):
            withheld = _("(link sent by e-mail only)")
        stored_text = text.replace(site_url + link, withheld).replace(link, withheld)
    message = mail.message(to=[recipient.email], subject=subject, text=text, html=html)
    stored = {
        "subject": subject[:255],
        "body": stored_text,
        "link": "" if kind.secret_link else link[:500],
    }
    return message, stored


def notification_dispatch_due(*, now=None, limit=500):
    """Send what is due; the one task on the beat schedule runs this every few minutes.

    Without a broker (tasks eager) each is sent here, inline; with one, each gets its
    own send task, so it has its own time limit and a slow mail server holds up only
    itself. Running twice, or next to a send task, is harmless: the claim lets one
    sender win. Claims of dead workers are taken up again; one that has used up its
    attempts is FAILED. Returns how many were sent (inline) or queued (broker).
    """
    from pioneer.celery import app
    from pioneer.tasks import send_notification

    now = now or timezone.now()
    Notification.objects.filter(
        state=Notification.State.SENDING,
        claimed_at__lt=now - STALE_CLAIM,
        attempts__gte=MAX_ATTEMPTS,
    ).update(state=Notification.State.FAILED, last_error="worker lost while sending")
    due = list(
        Notification.objects.filter(_claimable(now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if app.conf.task_always_eager:
        return sum(notification_send(notification_id=pk, now=now) for pk in due)
    for pk in due:
        send_notification.delay(pk)
    return len(due)


@transaction.atomic
def notification_mark_read(*, notification, user):
    """Mark one of the user's notifications read. Raises PermissionError for anyone
    else's. No side effects."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user):
    """Mark all of the user's sent notifications read; returns how many. No side effects."""
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
    from pioneer.models import BarrierReport

    report = BarrierReport.objects.create(
        page=page, description=description, name=name, email=email, language=language
    )

    mail.send_after_commit(
        to=[settings.ACCESSIBILITY_CONTACT_EMAIL],
        subject="Barriere gemeldet / barrier reported",
        text=(
            f"Seite / page: {page}\n\n{description}\n\n"
            f"Von / from: {name or '-'} <{email or '-'}>\n"
            f"Sprache / language: {language}\n"
            f"Nr. / no.: {report.pk}\n"
        ),
        reply_to=[email] if email else None,
    )
    return report
