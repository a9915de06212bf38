"""Actions on a selection of the office's lists: send confirmation links or invitations
again, move people to another state.

Each action has a plan (a read: who will be acted on, who is skipped and why) that the
confirmation page shows before anything happens, and a service that acts. The service
goes through the single-object services one by one (each in its own transaction, with
its own guards and the notification ledger), so a selection that changed since the
plan was shown is handled by those guards, and the result counts only what was really
done: `Outcome.done` are the objects acted on, `Outcome.skipped` the others with the
reason in the reader's language.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts import figures
from cohorts.models import InterestRegistration, Participation
from cohorts.services.participations import (
    TRANSITIONS,
    participation_invite_again,
    participation_set_state,
)
from cohorts.services.registrations import (
    CONFIRM_LINK_VALID,
    RESEND_INTERVAL,
    registration_resend_link,
)
from pioneer.models import Notification

INVITATION_KIND = "account.invitation"


@dataclass
class Outcome:
    """Who is (or will be) acted on, and who is skipped with the reason."""

    done: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # [(object, reason)]


def _messages(error):
    return " ".join(error.messages)


# --- registrations: the confirmation link again ------------------------------------------


def registrations_resend_plan(registrations, now=None):
    """Which of the registrations would get a new confirmation link: the unconfirmed ones
    whose last link is older than RESEND_INTERVAL. No query."""
    now = now or timezone.now()
    plan = Outcome()
    minutes = int(RESEND_INTERVAL.total_seconds()) // 60
    for registration in registrations:
        if registration.state != InterestRegistration.State.UNCONFIRMED:
            plan.skipped.append(
                (
                    registration,
                    _("its e-mail address is confirmed already (%(state)s)")
                    % {"state": registration.get_state_display()},
                )
            )
            continue
        expires = registration.confirm_expires_at
        if expires and now - (expires - CONFIRM_LINK_VALID) < RESEND_INTERVAL:
            plan.skipped.append(
                (
                    registration,
                    _("a link was sent less than %(minutes)d minutes ago") % {"minutes": minutes},
                )
            )
            continue
        plan.done.append(registration)
    return plan


def registrations_resend_links(*, registrations, by, now=None):
    """Send each registration's confirmation link again (`registration_resend_link`:
    a new token, the old link stops working, one e-mail through the ledger each).

    Each registration in its own transaction: one refused does not undo the others.
    Returns an Outcome; `done` holds only the registrations whose e-mail was scheduled.
    """
    outcome = Outcome()
    for registration in registrations:
        try:
            registration_resend_link(registration=registration, by=by, now=now)
        except ValidationError as error:
            outcome.skipped.append((registration, _messages(error)))
        else:
            outcome.done.append(registration)
    return outcome


# --- participations: the invitation again, another state ---------------------------------


def participations_invite_plan(participations, now=None):
    """Who would get the invitation again: not withdrawn, never signed in, no password
    of their own, and not invited today already (the ledger allows one a day). One
    query (today's invitations)."""
    today = timezone.localdate(now or timezone.now())
    users = [p.user_id for p in participations]
    invited_today = set(
        Notification.objects.filter(
            kind=INVITATION_KIND, recipient_id__in=users, due_date=today
        ).values_list("recipient_id", flat=True)
    )
    plan = Outcome()
    for participation in participations:
        user = participation.user
        if participation.state == Participation.State.WITHDRAWN:
            plan.skipped.append((participation, _("has withdrawn")))
        elif user.last_login is not None or user.has_usable_password():
            plan.skipped.append((participation, _("has taken up the invitation already")))
        elif user.pk in invited_today:
            plan.skipped.append(
                (participation, _("was invited today already; again tomorrow at the earliest"))
            )
        else:
            plan.done.append(participation)
    return plan


def participations_invite_again(*, participations, by):
    """Send each participant the invitation again (`participation_invite_again`: the
    ledger's `account.invitation`, one a day). An invitation an import held counts as
    sent by this and is no longer marked held. Each person in their own transaction.
    Returns an Outcome; `done` holds only those whose invitation was scheduled."""
    outcome = Outcome()
    for participation in participations:
        if participation.state == Participation.State.WITHDRAWN:
            outcome.skipped.append((participation, _("has withdrawn")))
            continue
        try:
            participation_invite_again(participation=participation, by=by)
        except ValidationError as error:
            outcome.skipped.append((participation, _messages(error)))
        else:
            if participation.invitation_held:
                Participation.objects.filter(pk=participation.pk).update(invitation_held=False)
                participation.invitation_held = False
                # Written without signals: the kept groups count the held invitations.
                figures.changed()
            outcome.done.append(participation)
    return outcome


def participations_state_plan(participations, state):
    """Who can move to `state` (the participations' TRANSITIONS), who is there already,
    who cannot go there. No query."""
    state = Participation.State(state)
    plan = Outcome()
    for participation in participations:
        current = Participation.State(participation.state)
        if current == state:
            plan.skipped.append(
                (participation, _("is “%(state)s” already") % {"state": state.label})
            )
        elif state not in TRANSITIONS[current]:
            plan.skipped.append(
                (
                    participation,
                    _("cannot go from “%(from)s” to “%(to)s”")
                    % {"from": current.label, "to": state.label},
                )
            )
        else:
            plan.done.append(participation)
    return plan


def participations_set_state(*, participations, state, by, reason=""):
    """Move each participation to `state` (`participation_set_state`: the history
    records `by`, the hooks react; no e-mails). Each in its own transaction. Returns an
    Outcome; `done` holds only those that changed."""
    outcome = Outcome()
    state = Participation.State(state)
    for participation in participations:
        # As it is now, not as the list showed it: a colleague may have been quicker.
        current = Participation.objects.values_list("state", flat=True).get(pk=participation.pk)
        if current == state:
            outcome.skipped.append(
                (participation, _("is “%(state)s” already") % {"state": state.label})
            )
            continue
        try:
            participation_set_state(participation=participation, state=state, by=by, reason=reason)
        except ValidationError as error:
            outcome.skipped.append((participation, _messages(error)))
        else:
            outcome.done.append(participation)
    return outcome
