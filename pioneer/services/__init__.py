"""Every write of the core, split by entity: organisations, people (roles, invitations,
preferences), notifications (the ledger that is the outbox of every e-mail) and barrier
reports. Functions are keyword-only, named <entity>_<verb>, atomic, and say their side
effects. The public ones are importable from here (`from pioneer import services`).
"""

from pioneer.services.barriers import (
    barrier_report_submit,
)
from pioneer.services.notifications import (
    DISPATCH_BATCH,
    MAX_ATTEMPTS,
    RETRY_DELAY,
    SEND_TASK,
    SENDER_LOCK_CLASS,
    mail_schedule,
    notification_claim,
    notification_dispatch_due,
    notification_mark_all_read,
    notification_mark_read,
    notification_message_id,
    notification_preview,
    notification_recover_stale,
    notification_schedule,
    notification_send,
    notification_unschedule,
    stale_claim_after,
)
from pioneer.services.organisations import (
    organisation_create,
    organisation_update,
    partner_link,
)
from pioneer.services.people import (
    invitation_link,
    role_grant,
    role_revoke,
    user_invite,
    user_set_language,
)

__all__ = [
    "notification_message_id",
    "organisation_create",
    "organisation_update",
    "partner_link",
    "role_grant",
    "role_revoke",
    "user_invite",
    "invitation_link",
    "user_set_language",
    "MAX_ATTEMPTS",
    "SEND_TASK",
    "DISPATCH_BATCH",
    "RETRY_DELAY",
    "notification_schedule",
    "notification_preview",
    "notification_unschedule",
    "mail_schedule",
    "stale_claim_after",
    "notification_claim",
    "notification_send",
    "SENDER_LOCK_CLASS",
    "notification_recover_stale",
    "notification_dispatch_due",
    "notification_mark_read",
    "notification_mark_all_read",
    "barrier_report_submit",
]
