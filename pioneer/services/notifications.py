"""The notification ledger: the outbox of every e-mail (scheduling, claiming, sending,
dispatching, reading). See the README's "Background work and the delivery guarantee".
"""

import logging
import time
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pioneer import mail, notifications
from pioneer.celery import app as celery_app
from pioneer.celery import publish
from pioneer.models import Notification, OutgoingMail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# The send task, by name: services queue it without importing pioneer.tasks (which
# imports this module).
SEND_TASK = "pioneer.tasks.send_notification"
# Rows per dispatcher batch: each batch is one SELECT and, inline, one SMTP session.
DISPATCH_BATCH = 200
# A failed send is due again after this, doubling with each attempt (5, 10, 20, 40 min).
RETRY_DELAY = timedelta(minutes=5)


def notification_schedule(*, kind, target, recipient, due_at):
    """Put a notification in the ledger; a second call with the same key changes nothing.

    The key is (kind, target, recipient, due date in local time): scheduling twice,
    even by two writers at the same moment, makes one row. Returns (notification,
    created). Raises LookupError for an unregistered kind. Side effects: when it is due
    already, its sending is queued after commit (inline without a broker; with the
    broker down it waits for the dispatcher); a later one is sent by the dispatcher.
    """
    notifications.get_kind(kind)  # fail early on typos
    key = {
        "kind": kind,
        "content_type": ContentType.objects.get_for_model(target),
        "object_id": target.pk,
        "recipient": recipient,
        "due_date": timezone.localdate(due_at),
    }
    return _schedule(key, due_at=due_at)


def _schedule(key, *, due_at, **defaults):
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                **key, defaults={"due_at": due_at, **defaults}
            )
    except IntegrityError:  # a concurrent writer won the race; theirs stands
        notification, created = Notification.objects.get(**key), False
    if created and due_at <= timezone.now():
        _queue_send(notification.pk)
    return notification, created


@transaction.atomic
def mail_schedule(*, kind, to, language, subject, text, html="", reply_to="", cause=None):
    """Put an e-mail rendered now in the ledger, for a bare address (no account needed).

    For mail whose content exists only now (allauth's keys, the interest form's
    confirmation token) or goes to people without an account. `kind` starts with
    "mail." (it names the e-mail in the ledger; there is no template to register).
    `cause`, if given, is only recorded in the log. Returns the ledger row.
    Side effects: an OutgoingMail holding the content until it is sent (then blanked,
    it may hold a secret link); sending is queued after commit like any notification.
    """
    if not kind.startswith("mail."):
        raise ValueError(f"a pre-rendered e-mail's kind starts with 'mail.': {kind!r}")
    content = OutgoingMail.objects.create(
        subject=subject[:255], text=text, html=html or "", reply_to=reply_to or ""
    )
    now = timezone.now()
    key = {
        "kind": kind,
        "content_type": ContentType.objects.get_for_model(OutgoingMail),
        "object_id": content.pk,
        "recipient": None,
        "email": to,
        "due_date": timezone.localdate(now),
    }
    if cause is not None:
        log.info("%s to be sent for %s (outgoing mail %s)", kind, cause, content.pk)
    return _schedule(key, due_at=now, language=language or settings.LANGUAGE_CODE)[0]


def _queue_send(notification_id):
    if celery_app.conf.task_always_eager:
        # No broker (the embedded set-up): send after commit, in this process.
        transaction.on_commit(
            lambda: notification_send(notification_id=notification_id), robust=True
        )
    else:
        # With the broker down this returns at once; the row stays pending and the
        # dispatcher (or `manage.py dispatch_notifications` from cron) sends it.
        transaction.on_commit(lambda: publish(SEND_TASK, args=[notification_id]), robust=True)


def stale_claim_after():
    """How old a claim must be before its sender counts as dead: longer than the send
    task may run (its hard time limit), plus a grace for a worker's clock and the
    ledger's update. A live sender never loses its claim; a dead one's row is taken up
    again by the next dispatcher run (every NOTIFICATION_DISPATCH_SECONDS)."""
    return timedelta(
        seconds=settings.NOTIFICATION_SEND_TIME_LIMIT + settings.NOTIFICATION_STALE_GRACE
    )


def _claimable(now):
    """Due rows nobody is sending, and claims of senders that died (older than
    stale_claim_after()) with attempts left."""
    return Q(due_at__lte=now) & (
        Q(state=Notification.State.PENDING)
        | Q(
            state=Notification.State.SENDING,
            claimed_at__lt=now - stale_claim_after(),
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
    return now if _claim(notification_id, now) is not None else None


def _claim(notification_id, now):
    """The claim itself: the row's attempts after it, or None if another has it."""
    return _claim_many([notification_id], now).get(notification_id)


def _claim_many(notification_ids, now):
    """Claim several rows with one conditional UPDATE: {id: attempts} of those claimed.

    Written out in SQL (the same condition as _claimable) because it runs for every
    e-mail: the ORM's compilation cost more than the statement."""
    if not notification_ids:
        return {}
    ops = db_connection.ops
    table = ops.quote_name(Notification._meta.db_table)
    ids = ", ".join(["%s"] * len(notification_ids))
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608
            f"WHERE id IN ({ids}) AND due_at <= %s AND (state = %s "
            "OR (state = %s AND claimed_at < %s AND attempts < %s)) RETURNING id, attempts",
            [
                Notification.State.SENDING,
                ops.adapt_datetimefield_value(now),
                *notification_ids,
                ops.adapt_datetimefield_value(now),
                Notification.State.PENDING,
                Notification.State.SENDING,
                ops.adapt_datetimefield_value(now - stale_claim_after()),
                MAX_ATTEMPTS,
            ],
        )
        return dict(cursor.fetchall())


def notification_send(*, notification_id, now=None, connection=None):
    """Send one due notification unless it is sent, being sent or not due (safe to run
    twice). Returns True if this call sent it.

    The delivery guarantee. SMTP gives no exactly-once: a mail server may accept a
    message and the sender die before it can record that. What holds: each row is sent
    at least once (a claim whose sender died goes stale and the row is sent again), and
    exactly once except when its sender dies inside the window between the server's
    acceptance and the ledger's update. That window is kept as small as it can be:
    everything that can fail (loading, rendering, connecting) happens before the
    message goes out; right after the server's acceptance comes one UPDATE, and only
    then the QUIT, whose failure is no longer a failure to send. A second copy carries
    the same Message-ID (derived from the row), so it is recognisably the same message.

    `connection`, an open mail connection, lets a dispatcher send a batch over one SMTP
    session; it is left open (closed and reset only after a failure).

    Side effects: one e-mail (HTML and plain text, in the recipient's language); the
    rendered subject and text are kept for the in-app list, a secret link never, the
    body of a pre-rendered e-mail not after it is done. A failure puts it back to
    pending, due again after RETRY_DELAY (doubling with each attempt), until
    MAX_ATTEMPTS: then FAILED. A notification whose object is gone, or whose recipient
    is deactivated, is CANCELLED.
    """
    # The sender's lock (PostgreSQL): held from before the claim until after the
    # ledger's update, released by the database when the sender's process dies. A stale
    # claim is taken up only when its lock is free too: a sender that is slow but alive
    # (the cron command has no task time limit) is never doubled.
    if not _lock_row(notification_id):
        return False
    try:
        return _send_locked(notification_id, now=now, connection=connection)
    finally:
        _unlock_row(notification_id)


def _send_locked(notification_id, *, now, connection):
    """Claim and send one row (its sender's lock is held)."""
    claimed_at = now or timezone.now()
    attempts = _claim(notification_id, claimed_at)
    if attempts is None:
        return False
    return _send_claimed(
        notification_id, claimed_at=claimed_at, attempts=attempts, connection=connection
    )


def _send_claimed(notification_id, *, claimed_at, attempts, connection, preloaded=None):
    """Send a row this sender has claimed (at `claimed_at`, now at `attempts`);
    `preloaded` is the row with its recipient and target, read by a dispatcher for its
    whole batch."""
    if preloaded is None:
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    else:
        notification = preloaded
        notification.state, notification.claimed_at = Notification.State.SENDING, claimed_at
        notification.attempts = attempts
    # Every write below is guarded by our claim: a sender that lost it writes nothing.
    ours = Notification.objects.filter(
        pk=notification_id, state=Notification.State.SENDING, claimed_at=claimed_at
    )
    target = notification.target
    recipient = notification.recipient
    if target is None or (recipient is not None and not recipient.is_active):
        reason = "target deleted" if target is None else "recipient deactivated"
        ours.update(state=Notification.State.CANCELLED, last_error=reason)
        _forget_content(notification)
        return False
    own_connection = connection is None
    try:
        if isinstance(target, OutgoingMail):
            message, stored = _prerendered(notification, target)
        else:
            message, stored = _render(notification, target)
        connection = connection or get_connection(fail_silently=False)
        connection.open()  # no-op when the dispatcher's connection is open already
        connection.send_messages([message])  # returns once the server accepted it
    except SoftTimeLimitExceeded as exc:  # the task's time is up: record, let Celery stop
        _abort(connection)
        _record_failure(ours, notification, exc)
        raise
    except Exception as exc:
        _abort(connection)  # a failed SMTP session is not reused
        log.exception("Notification %s failed (attempt %s)", notification.pk, notification.attempts)
        _record_failure(ours, notification, exc)
        return False
    # The window: the server has the message; nothing may come between it and this.
    if not ours.update(
        state=Notification.State.SENT, sent_at=timezone.now(), last_error="", **stored
    ):
        # Only possible if another sender took the row over (this one was thought dead).
        log.error("Notification %s was sent, but its claim was lost", notification.pk)
    _forget_content(notification)
    if own_connection:
        _close_quietly(connection)
    return True


# Advisory locks of the ledger's senders: (class, row id) in PostgreSQL's two-key space.
SENDER_LOCK_CLASS = 0x0B0C5


def _lock_row(notification_id):
    return bool(_lock_rows([notification_id]))


def _unlock_row(notification_id):
    _unlock_rows([notification_id])


def _lock_rows(notification_ids):
    """Take the senders' locks of several rows in one statement: the ids it got, in
    their order (a row another sender holds is left out)."""
    if db_connection.vendor != "postgresql":
        return list(notification_ids)  # elsewhere (SQLite: one process) the claim decides
    if not notification_ids:
        return []
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(id, n) "
            "WHERE pg_try_advisory_lock(%s::int, (id %% 2147483648)::int) ORDER BY n",
            [list(notification_ids), SENDER_LOCK_CLASS],
        )
        return [row[0] for row in cursor.fetchall()]


def _unlock_rows(notification_ids):
    if db_connection.vendor == "postgresql" and notification_ids:
        with db_connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_advisory_unlock(%s::int, (id %% 2147483648)::int)) "
                "FROM unnest(%s::bigint[]) AS t(id)",
                [SENDER_LOCK_CLASS, list(notification_ids)],
            )


def _abort(connection):
    """Drop a mail connection after a failure without QUIT: a server still working on
    our DATA sees the connection gone and must not deliver a message we were not told
    it accepted (we will send it again)."""
    if connection is None:
        return
    smtp = getattr(connection, "connection", None)
    if smtp is not None and hasattr(smtp, "sock"):
        try:
            smtp.close()  # smtplib: closes the socket, sends nothing
        except Exception:
            log.debug("dropping the SMTP socket failed", exc_info=True)
        connection.connection = None
    else:
        _close_quietly(connection)


def _close_quietly(connection):
    """Close a mail connection; a failure here (a QUIT that breaks) is after the server
    accepted the message, so it is logged, never counted as a failed send."""
    if connection is None:
        return
    try:
        connection.close()
    except Exception:
        log.warning("Closing the mail connection failed (the message was sent)", exc_info=True)


def _forget_content(notification):
    """Blank a pre-rendered e-mail's body once the ledger is done with its row: it may
    hold a secret link that exists nowhere else in readable form."""
    if notification.content_type_id == ContentType.objects.get_for_model(OutgoingMail).pk:
        OutgoingMail.objects.filter(pk=notification.object_id).update(text="", html="")


def _record_failure(ours, notification, exc):
    if notification.attempts >= MAX_ATTEMPTS:
        ours.update(state=Notification.State.FAILED, last_error=repr(exc)[:2000])
        _forget_content(notification)
    else:
        retry_at = timezone.now() + RETRY_DELAY * 2 ** (notification.attempts - 1)
        ours.update(state=Notification.State.PENDING, due_at=retry_at, last_error=repr(exc)[:2000])


def notification_message_id(notification):
    return mail.message_id(
        f"pioneer.{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}.notification"
    )


def _prerendered(notification, content):
    """The e-mail of a pre-rendered row, and what the ledger keeps (the subject)."""
    message = mail.message(
        to=[notification.email],
        subject=content.subject,
        text=content.text,
        html=content.html or None,
        reply_to=[content.reply_to] if content.reply_to else None,
        message_id=notification_message_id(notification),
    )
    return message, {"subject": content.subject[:255]}


def _render(notification, target):
    """The e-mail, and what the ledger keeps of it (subject, text, link)."""
    kind = notifications.get_kind(notification.kind)
    recipient = notification.recipient
    site_url = settings.SITE_URL.rstrip("/")
    language = recipient.language or notification.language or settings.LANGUAGE_CODE
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
    message = mail.message(
        to=[recipient.email],
        subject=subject,
        text=text,
        html=html,
        message_id=notification_message_id(notification),
    )
    stored = {
        "subject": subject[:255],
        "body": stored_text,
        "link": "" if kind.secret_link else link[:500],
    }
    return message, stored


def notification_preview(*, kind, target, recipient):
    """(subject, text, language) of the e-mail a notification of `kind` would send
    `recipient` (saved or not), rendered as sending renders it, in the recipient's
    language, with the signature. Nothing is saved or sent. A secret link (the
    invitation's key) is never made: the preview shows the words that replace it in the
    in-app list. No query for the core's kinds."""
    kind_ = notifications.get_kind(kind)
    language = recipient.language or settings.LANGUAGE_CODE
    site_url = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        if kind_.secret_link:
            link, site_url = _("(link sent by e-mail only)"), ""
        else:
            link = kind_.link(target) if kind_.link else ""
        context = {
            "recipient": recipient,
            "target": target,
            "notification": None,
            "link": link,
            "site_url": site_url,
        }
        if kind_.extra_context:
            context.update(kind_.extra_context(target, recipient))
    subject, text, _html = mail.render(kind_.template, context, language=language, html=False)
    return subject, text, language


def notification_recover_stale(*, now=None):
    """Claims of senders that died: a row with attempts left is claimable again (it is
    sent by this run); one that used them all is FAILED. Returns how many failed."""
    now = now or timezone.now()
    stale = Notification.objects.filter(
        state=Notification.State.SENDING,
        claimed_at__lt=now - stale_claim_after(),
        attempts__gte=MAX_ATTEMPTS,
    )
    failed = []
    for row in stale.values_list("pk", "content_type_id", "object_id"):
        if _lock_row(row[0]):  # its sender is gone, not just slow
            try:
                if stale.filter(pk=row[0]).update(
                    state=Notification.State.FAILED, last_error="sender lost while sending"
                ):
                    failed.append(row)
            finally:
                _unlock_row(row[0])
    if failed:
        outgoing = ContentType.objects.get_for_model(OutgoingMail).pk
        OutgoingMail.objects.filter(
            pk__in=[object_id for _, ct, object_id in failed if ct == outgoing]
        ).update(text="", html="")
    return len(failed)


def notification_dispatch_due(
    *, inline=None, batch_size=DISPATCH_BATCH, max_seconds=None, now=None
):
    """Send what is due, in bounded batches, until nothing is due (or `max_seconds`).

    Run by the task on the beat schedule (every NOTIFICATION_DISPATCH_SECONDS) and by
    `manage.py dispatch_notifications` (from cron, e.g. while the broker is down).
    Every run first takes up the claims of senders that died.

    - inline (the command, and without a broker): each row is claimed and sent here,
      exactly as the send task does, over one mail connection per batch;
    - queued (the beat task, with a broker): each row gets its own send task, so it has
      its own time limit and a slow mail server holds up only itself; a queued row is
      not queued again until its message could have been lost (stale_claim_after()).

    Running twice, or next to send tasks, is harmless: the claim lets one sender win.
    `now` fixes the clock (tests); by default each batch and each claim reads it anew.
    Returns how many were sent (inline) or queued.
    """
    clock = now
    if inline is None:
        inline = celery_app.conf.task_always_eager
    started = time.monotonic()
    total = 0
    # Rows this run could not send (another sender holds them, or they failed): not
    # picked again by this run, so it ends even while a slow sender keeps a stale claim.
    passed = set()
    while max_seconds is None or time.monotonic() - started < max_seconds:
        now = clock or timezone.now()
        notification_recover_stale(now=now)
        due = Notification.objects.filter(_claimable(now))
        if passed:
            due = due.exclude(pk__in=passed)
        if not inline:
            due = due.filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - stale_claim_after()))
        batch = list(due.order_by("due_at", "pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        if inline:
            sent = _send_batch(batch, now=clock)
            total += len(sent)
            passed.update(set(batch) - sent)
            if len(passed) > 10 * batch_size:  # the mail server refuses: leave it to a later run
                break
        else:
            Notification.objects.filter(pk__in=batch).update(queued_at=now)
            queued = 0
            for pk in batch:
                if not publish(SEND_TASK, args=[pk]):
                    break
                queued += 1
            total += queued
            if queued < len(batch):  # the broker went away: send the rest here
                Notification.objects.filter(pk__in=batch[queued:]).update(queued_at=None)
                inline = True
    return total


# Rows claimed at once inside a dispatcher's batch: each claim is made just before its
# rows are sent (a claim made long before its sending would look stale early).
CLAIM_CHUNK = 50


def _send_batch(batch, *, now):
    """Send a batch over one mail connection; the ids of those this call sent.

    What can be done for the whole batch is: the rows, their recipients, their targets
    and what the kinds' templates read of them (a few queries, `NotificationKind.related`),
    the senders' locks (one statement) and their release (one), the claims (one
    conditional UPDATE per CLAIM_CHUNK rows). Per e-mail remains what the delivery
    guarantee needs: the SENT update right after the mail server accepted it."""
    rows = Notification.objects.select_related("recipient").prefetch_related("target")
    rows = {row.pk: row for row in rows.filter(pk__in=batch)}
    _load_related(rows.values())
    locked = _lock_rows(batch)
    sent = set()
    if not locked:
        return sent
    connection = get_connection(fail_silently=False)
    _commit_without_waiting(True)
    try:
        for start in range(0, len(locked), CLAIM_CHUNK):
            chunk = locked[start : start + CLAIM_CHUNK]
            # The claim carries the time it is made, not the batch's.
            claimed_at = now or timezone.now()
            claims = _claim_many(chunk, claimed_at)
            for pk in chunk:
                if pk in claims and _send_claimed(
                    pk,
                    claimed_at=claimed_at,
                    attempts=claims[pk],
                    connection=connection,
                    preloaded=rows.get(pk),
                ):
                    sent.add(pk)
    finally:
        _close_quietly(connection)
        _unlock_rows(locked)
        _commit_without_waiting(False)
    return sent


def _commit_without_waiting(on):
    """The dispatcher's own ledger updates commit without waiting for the disk (PostgreSQL's
    synchronous_commit off, for this connection while a batch is sent). Each SENT update
    otherwise waits for a flush of the write-ahead log: on a busy disk 5 ms of the 6 it
    costs, most of an e-mail's time. What it risks: if the database server itself crashes
    (not the dispatcher), the updates of its last fraction of a second (at most three
    times wal_writer_delay) are lost; those rows stay claimed, go stale and are sent
    again, with the same Message-ID: at least once still holds. The database stays
    consistent; no other writer of the ledger changes."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


def _load_related(rows):
    """What each kind's templates read of its targets (`related`), for all rows at once."""
    by_kind = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for key, kind_rows in by_kind.items():
        try:
            related = notifications.get_kind(key).related
        except LookupError:
            continue  # an unknown kind fails when it is sent, as before
        targets = [row.target for row in kind_rows if row.target is not None]
        if related and targets:
            prefetch_related_objects(targets, *related)


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


def notification_unschedule(*, kinds, model, object_ids):
    """Take back notifications that are scheduled but not yet being sent: pending rows of
    `kinds` about these objects of `model` are deleted, so scheduling the same key again
    (a person registers anew, an event moves back) makes a fresh row. Rows being sent, sent
    or failed stay as the record of what went out. Returns how many were taken back.
    No side effects beyond the ledger."""
    return (
        Notification.objects.filter(
            kind__in=list(kinds),
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=list(object_ids),
            state=Notification.State.PENDING,
        )
        .order_by()
        .delete()[0]
    )
