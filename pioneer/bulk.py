"""Bulk counterparts of `user_invite` for imports: many people in a flat number of queries.

`people_invite_in_bulk` does for a batch what `pioneer.services.user_invite` does for one
person (find or create the account, grant the role, and say which e-mail each one gets),
and `invitations_schedule_in_bulk` writes those e-mails to the notification ledger in one
INSERT. The ledger's unique key makes scheduling twice harmless, as with
`notification_schedule`; the sending is the dispatcher's, queued once after commit.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pioneer.celery import app as celery_app
from pioneer.celery import publish
from pioneer.models import Notification, Role, User
from pioneer.services.notifications import notification_dispatch_due


@dataclass
class Invitee:
    user: User
    role: Role
    created: bool  # a new account
    role_created: bool

    @property
    def invitation(self):
        """(kind, target) of the e-mail this person gets, or None (they know already)."""
        if not self.user.has_usable_password():
            return ("account.invitation", self.user)
        if self.role_created:
            return ("account.role_granted", self.role)
        return None


def people_invite_in_bulk(*, people, kind):
    """Find or create an account for each of `people` (dicts with email, name, language;
    addresses already lower-case) and grant each `kind` (a role without organisation).

    Returns {email: Invitee}. Seven queries whatever the number of people (batches of
    500). Side effects: new accounts without a usable password (they set one through the
    invitation) and their (unverified) e-mail address records, new roles. No e-mail: see
    invitations_schedule_in_bulk.
    """
    emails = [person["email"] for person in people]
    existing = User.objects.in_bulk(emails, field_name="email")
    new_users = [
        User(
            email=person["email"],
            name=person["name"],
            language=person["language"],
            password=make_password(None),
        )
        for person in people
        if person["email"] not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=500)
    users = User.objects.in_bulk(emails, field_name="email")
    # The address record allauth's password-link key reads (and would otherwise create,
    # four queries per person, when each invitation is sent), as it would create it:
    # neither primary nor verified until the person follows the link.
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[user.email], email=user.email, primary=False, verified=False)
            for user in new_users
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    user_ids = [user.pk for user in users.values()]
    had_role = set(
        Role.objects.filter(user_id__in=user_ids, kind=kind, organisation=None).values_list(
            "user_id", flat=True
        )
    )
    Role.objects.bulk_create(
        [Role(user_id=pk, kind=kind) for pk in user_ids if pk not in had_role],
        batch_size=500,
        ignore_conflicts=True,  # a concurrent grant won the race; the role exists
    )
    roles = {
        role.user_id: role
        for role in Role.objects.filter(user_id__in=user_ids, kind=kind, organisation=None)
    }
    return {
        email: Invitee(
            user=user,
            role=roles[user.pk],
            created=email not in existing,
            role_created=user.pk not in had_role,
        )
        for email, user in users.items()
    }


def invitations_schedule_in_bulk(*, invitees, now=None):
    """Put each invitee's e-mail (if any) in the ledger, due now; one INSERT per 500.

    Returns how many were scheduled. Side effects: one dispatcher run queued after
    commit (inline without a broker), which sends them.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = []
    for invitee in invitees:
        invitation = invitee.invitation
        if invitation is None:
            continue
        kind, target = invitation
        rows.append(
            Notification(
                kind=kind,
                content_type=ContentType.objects.get_for_model(target),
                object_id=target.pk,
                recipient=invitee.user,
                due_date=today,
                due_at=now,
            )
        )
    rows = _not_yet_in_ledger(rows, today)
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    if rows:
        _queue_dispatch()
    return len(rows)


def _not_yet_in_ledger(rows, today):
    """The rows whose key is not in the ledger yet (one query): someone invited today
    already gets no second e-mail, and the count the office is told is the e-mails
    actually queued. A concurrent writer that wins the race in between is still
    absorbed by `ignore_conflicts`."""
    if not rows:
        return rows
    groups = {}
    for row in rows:
        groups.setdefault((row.kind, row.content_type_id), []).append(row.object_id)
    match = Q()
    for (kind, content_type_id), ids in groups.items():
        match |= Q(kind=kind, content_type_id=content_type_id, object_id__in=ids)
    existing = set(
        Notification.objects.filter(match, due_date=today).values_list(
            "kind", "content_type_id", "object_id", "recipient_id"
        )
    )
    return [
        row
        for row in rows
        if (row.kind, row.content_type_id, row.object_id, row.recipient_id) not in existing
    ]


DISPATCH_TASK = "pioneer.tasks.dispatch_due_notifications"


def _queue_dispatch():
    # One dispatcher run sends them all (with a broker: one task per e-mail); a broker
    # that is down fails nothing, the beat schedule's next run sends them.
    if celery_app.conf.task_always_eager:
        transaction.on_commit(lambda: notification_dispatch_due(inline=True), robust=True)
    else:
        transaction.on_commit(lambda: publish(DISPATCH_TASK, args=[]), robust=True)
