"""Writes of participations: who takes part in a cohort.

Services are keyword-only, named participation_<verb>, atomic, and name their side
effects. Imports of many people at once live in `cohorts.services.imports`; the reads
in `cohorts.selectors`.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts import figures, hooks
from cohorts.models import Cohort, Participation
from cohorts.services._shared import UNCHANGED, apply_changes, changed_copy
from pioneer.access import actor, check_may_act_for, check_own_office
from pioneer.models import Role
from pioneer.services import notification_schedule, user_invite

State = Participation.State

# Which state may follow which. Withdrawing is possible until the end; a withdrawn person
# can be nominated again (a mistake, or they came back).
TRANSITIONS = {
    State.NOMINATED: {State.CONFIRMED, State.WITHDRAWN},
    State.CONFIRMED: {State.NOMINATED, State.ACTIVE, State.WITHDRAWN},
    State.ACTIVE: {State.COMPLETED, State.WITHDRAWN},
    State.COMPLETED: {State.ACTIVE},
    State.WITHDRAWN: {State.NOMINATED},
}


def side_mismatch(side, organisation):
    """A message when the side does not fit the organisation's kind, else ''.

    Administration-side people come from ministries and authorities; everyone else
    joins as an external expert. The matching relies on it.
    """
    if side == Participation.Side.ADMINISTRATION and not organisation.is_public_body:
        return _(
            "Side: %(organisation)s is no ministry or authority; its people join on the "
            "external side."
        ) % {"organisation": organisation}
    if side == Participation.Side.EXTERNAL and organisation.is_public_body:
        return _(
            "Side: %(organisation)s is a ministry or authority; its people join on the "
            "administration side."
        ) % {"organisation": organisation}
    return ""


@transaction.atomic
def participation_add(
    *,
    cohort,
    email,
    name,
    organisation,
    side,
    position="",
    topics="",
    expertise="",
    goals="",
    language="de",
    by,
):
    """Add a person to a cohort (nominated), creating their account if needed.

    Guards: `by`'s office may act for the organisation (`by=SYSTEM` for work
    without a person); the cohort is not closed; the side fits the organisation; the
    person is not in the cohort yet. Side effects: a participant role and an invitation
    e-mail with a link to set the password (sent after commit, in the person's language),
    or the e-mail about the new role for someone who has a password; none for someone
    who held the role already or was sent the invitation today. The returned
    participation's `invitation_queued` says whether an e-mail was queued.
    """
    check_may_act_for(by, organisation)
    if cohort.state == Cohort.State.CLOSED:
        raise ValidationError(_("The cohort is closed; nobody can join it any more."))
    problem = side_mismatch(side, organisation)
    if problem:
        raise ValidationError({"side": problem})
    email = email.strip().lower()
    details = {
        "name": name,
        "organisation": organisation,
        "side": side,
        "position": position,
        "topics": topics,
        "expertise": expertise,
        "goals": goals,
        "language": language,
        "by": by,
    }
    try:
        with transaction.atomic():
            return _participation_add(cohort=cohort, email=email, **details)
    except IntegrityError:
        # The same person added twice at once: the other request's account or
        # participation committed while ours waited. Once more, now seeing theirs: it
        # ends in "already in the cohort" (or joins the account the other one created).
        return _participation_add(cohort=cohort, email=email, **details)


def _participation_add(
    *,
    cohort,
    email,
    name,
    organisation,
    side,
    position,
    topics,
    expertise,
    goals,
    language,
    by,
):
    if Participation.objects.filter(cohort=cohort, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already in the cohort.")})
    invited = user_invite(
        email=email,
        name=name,
        language=language,
        kind=Role.Kind.PARTICIPANT,
        by=by,
    )
    user = invited[0]
    # Checked again with the account in hand: a twin request may have added it meanwhile.
    if Participation.objects.filter(cohort=cohort, user=user).exists():
        raise ValidationError({"email": _("This person is already in the cohort.")})
    participation = Participation(
        cohort=cohort,
        user=user,
        organisation=organisation,
        side=side,
        position=position,
        topics=topics,
        expertise=expertise,
        goals=goals,
    )
    participation.full_clean(validate_unique=False)
    participation._history_user = actor(by)
    participation.save()
    # Not a field: whether this call queued an e-mail (see `user_invite`), for the message.
    participation.invitation_queued = invited.queued
    return participation


@transaction.atomic
def participation_set_state(*, participation, state, by, reason=""):
    """Move a participation to another state; withdrawing needs a reason.

    The history (django-simple-history) records who changed it and when. Side effects:
    whatever the receivers of `hooks.participation_state_changed` do. No e-mails.
    """
    state = State(state)
    # Lock and re-read: the same change clicked twice (or by two colleagues) happens once,
    # and the hooks react once.
    participation.state = (
        Participation.objects.select_for_update()
        .values_list("state", flat=True)
        .get(pk=participation.pk)
    )
    current = State(participation.state)
    if state == current:
        return participation
    if state not in TRANSITIONS[current]:
        raise ValidationError(
            _("A participation cannot go from “%(from)s” to “%(to)s”.")
            % {"from": current.label, "to": state.label}
        )
    reason = (reason or "").strip()
    if state == State.WITHDRAWN and not reason:
        raise ValidationError({"reason": _("Please give the reason for the withdrawal.")})
    participation.state = state
    participation.withdrawn_reason = reason if state == State.WITHDRAWN else ""
    participation._history_user = actor(by)
    participation.save(update_fields=["state", "withdrawn_reason"])
    hooks.participation_state_changed.send(
        sender=Participation, participation=participation, old_state=current, by=actor(by)
    )
    return participation


@transaction.atomic
def participation_update(
    *,
    participation,
    by,
    position=UNCHANGED,
    topics=UNCHANGED,
    expertise=UNCHANGED,
    goals=UNCHANGED,
    side=UNCHANGED,
    organisation=UNCHANGED,
):
    """Change a participation's details; the fields not given keep their values. A new
    organisation must be one `by`'s office may act for. A refusal leaves `participation`
    as it was. The history records `by`. No side effects."""
    if organisation is not UNCHANGED and organisation.pk != participation.organisation_id:
        check_may_act_for(by, organisation)
    changes = {
        "position": position,
        "topics": topics,
        "expertise": expertise,
        "goals": goals,
        "side": side,
        "organisation": organisation,
    }
    changed = changed_copy(participation, **changes)
    problem = side_mismatch(changed.side, changed.organisation)
    if problem:
        raise ValidationError({"side": problem})
    changed.full_clean(validate_unique=False)
    changed._history_user = actor(by)
    changed.save()
    apply_changes(participation, **changes)
    return participation


class InvitationRefused(ValidationError):
    """The invitation cannot be sent again (taken up already, or sent today)."""


@transaction.atomic
def participation_invite_again(*, participation, by):
    """Send the invitation to set a password again to a participant who has not taken
    it up (no usable password, never signed in).

    The ledger's key (kind, person, day) allows one invitation per person and day;
    a second one on the same day is refused (InvitationRefused, nothing scheduled), as
    is one for a person who has signed in already, or by another ministry's office.
    Side effects: the `account.invitation` notification, sent after commit; an invitation
    an import held is no longer held.
    """
    participation = Participation.objects.select_related("user", "cohort__programme").get(
        pk=participation.pk
    )
    check_own_office(by, participation.cohort.programme.organisation)
    user = participation.user
    if user.has_usable_password() or user.last_login is not None:
        raise InvitationRefused(
            _("%(name)s has taken up the invitation already; nothing was sent.")
            % {"name": user.name or user.email}
        )
    _notification, created = notification_schedule(
        kind="account.invitation", target=user, recipient=user, due_at=timezone.now()
    )
    if not created:
        raise InvitationRefused(
            _(
                "An invitation to %(email)s has been sent today already; it can be sent "
                "again tomorrow. Nothing was sent."
            )
            % {"email": user.email}
        )
    if participation.invitation_held:
        # The import held it; now it has gone out, the list no longer offers to send it.
        Participation.objects.filter(pk=participation.pk).update(invitation_held=False)
        participation.invitation_held = False
        # Written without signals: the kept groups count the held invitations.
        figures.changed()
    return participation
