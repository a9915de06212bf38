"""Who may do what in the tandems app: one predicate per action (django-rules), checked in
the view with `pioneer.permissions.require` and handed to the template. Deny by default;
the selectors scope first (someone else's tandem answers 404)."""

import rules

from cohorts.rules import runs
from pioneer.rules import is_participant
from tandems.models import Tandem


@rules.predicate
def runs_tandems(user, obj):
    """The user's office runs the cohort (of the tandem), and its programme has tandems."""
    if obj is None:
        return False
    cohort = getattr(obj, "cohort", obj)
    return cohort.programme.has_tandems and runs(user, cohort)


@rules.predicate
def may_confirm(user, tandem):
    """A partner of a proposed tandem who has not confirmed it yet."""
    if tandem is None or tandem.state != Tandem.State.PROPOSED:
        return False
    if user.pk == tandem.administration.user_id:
        return tandem.administration_confirmed_at is None
    if user.pk == tandem.external.user_id:
        return tandem.external_confirmed_at is None
    return False


@rules.predicate
def may_state_preferences(user, participation):
    """The person's own participation in a cohort that is still forming its tandems."""
    from tandems.selectors import PREFERENCE_STATES

    return (
        participation is not None
        and participation.user_id == user.pk
        and participation.cohort.state in PREFERENCE_STATES
    )


rules.add_perm("tandems.manage_tandems", runs_tandems)
rules.add_perm("tandems.confirm_tandem", is_participant & may_confirm)
rules.add_perm("tandems.state_preferences", is_participant & may_state_preferences)


@rules.predicate
def signs_agreement(user, phase):
    """A signatory of the phase's agreement who has not confirmed its current version
    (the guest, a named representative with an account) while the tandem runs on."""
    from tandems.agreements import current_confirmations, parties_of

    if phase is None or phase.tandem.state in (Tandem.State.COMPLETED, Tandem.State.ENDED_EARLY):
        return False
    return bool(set(parties_of(phase, user)) - set(current_confirmations(phase)))


@rules.predicate
def is_guest_of(user, phase):
    return phase is not None and phase.guest.user_id == user.pk


rules.add_perm("tandems.confirm_agreement", signs_agreement)
rules.add_perm("tandems.edit_goals", is_guest_of)
