"""Every write of the cohorts app, split by entity: programmes, cohorts (with their
lifecycle and the copy of the next one), registrations of interest, participations,
and the imports and exports of a cohort's people.

Functions are keyword-only, named <entity>_<verb>, atomic, and name their side effects.
They raise `django.core.exceptions.ValidationError` with a translated message when a
guard refuses; the views show that message and change nothing.

The names callers use are re-exported here (`from cohorts import services;
services.registration_submit(...)`); each module's own names are importable from the
module too. `TRANSITIONS` here is the cohort lifecycle; the participations' own table is
`cohorts.services.participations.TRANSITIONS`.
"""

from cohorts.services.cohorts import (
    NEXT_STEP,
    TRANSITIONS,
    UNDO_WINDOW,
    cohort_close_blockers,
    cohort_copy_next,
    cohort_create,
    cohort_transition,
    cohort_transition_consequences,
    cohort_transition_problems,
    cohort_transition_undo,
    cohort_transition_undo_refusal,
    cohort_update,
    suggested_start,
)
from cohorts.services.participations import (
    InvitationRefused,
    participation_add,
    participation_invite_again,
    participation_set_state,
    participation_update,
    side_mismatch,
)
from cohorts.services.programmes import programme_create, programme_update
from cohorts.services.registrations import (
    ACCEPT,
    CONFIRM_LINK_VALID,
    DECLINE,
    NOTE_REPEAT_WINDOW,
    RATE_LIMIT,
    RATE_WINDOW,
    RESEND_INTERVAL,
    ConfirmResult,
    DuplicateRegistration,
    RateLimited,
    ResendTooSoon,
    confirmation_path,
    registration_accept,
    registration_by_token,
    registration_confirm,
    registration_decide,
    registration_decision_preview,
    registration_decline,
    registration_expire_stale,
    registration_find_duplicate,
    registration_note_add,
    registration_resend_link,
    registration_submit,
)

__all__ = [
    "CONFIRM_LINK_VALID",
    "NEXT_STEP",
    "NOTE_REPEAT_WINDOW",
    "RATE_LIMIT",
    "RATE_WINDOW",
    "TRANSITIONS",
    "ConfirmResult",
    "DuplicateRegistration",
    "RateLimited",
    "cohort_close_blockers",
    "cohort_copy_next",
    "cohort_create",
    "cohort_transition",
    "cohort_transition_problems",
    "cohort_transition_consequences",
    "cohort_transition_undo",
    "cohort_transition_undo_refusal",
    "UNDO_WINDOW",
    "cohort_update",
    "confirmation_path",
    "participation_add",
    "InvitationRefused",
    "participation_invite_again",
    "participation_set_state",
    "participation_update",
    "programme_create",
    "programme_update",
    "ACCEPT",
    "DECLINE",
    "RESEND_INTERVAL",
    "ResendTooSoon",
    "registration_accept",
    "registration_by_token",
    "registration_decide",
    "registration_decision_preview",
    "registration_resend_link",
    "registration_confirm",
    "registration_decline",
    "registration_expire_stale",
    "registration_find_duplicate",
    "registration_note_add",
    "registration_submit",
    "side_mismatch",
    "suggested_start",
]
