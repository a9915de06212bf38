"""The notification registry. Apps register their kinds here (phase starts, milestones,
events, surveys, ...); the ledger (`pioneer.models.Notification`) and the dispatcher
(`pioneer.services.notification_dispatch_due`) do the rest.

A kind names its templates:
    templates/notifications/<key>_subject.txt   one line
    templates/notifications/<key>.txt           plain text body
    templates/notifications/<key>.html          HTML body (inside notifications/base_email.html)
Each is rendered with {"recipient", "target", "notification", "link", "site_url"} in the
recipient's language. The two .txt templates are plain text: wrap them in
{% autoescape off %} so that "O'Brien" does not arrive as "O&#x27;Brien".

The subject and text are kept in the ledger for the in-app list; a kind registered with
secret_link=True (a password-set key) has its link replaced there by a note, and never
stored.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NotificationKind:
    key: str
    template: str
    link: Callable | None = None  # target -> path (the in-app and e-mail link)
    extra_context: Callable | None = field(default=None)  # (target, recipient) -> dict
    # A link that carries a secret (a password-set key) is e-mailed but never stored.
    secret_link: bool = False
    # What the templates, the link and extra_context read of the target (lookups such as
    # "cohort__programme"): the dispatcher loads them for a whole batch at once.
    related: tuple = ()


_KINDS: dict[str, NotificationKind] = {}


def register(key, *, template=None, link=None, extra_context=None, secret_link=False, related=()):
    kind = NotificationKind(
        key=key,
        template=template or f"notifications/{key.replace('.', '_')}",
        link=link,
        extra_context=extra_context,
        secret_link=secret_link,
        related=tuple(related),
    )
    _KINDS[key] = kind
    return kind


def get_kind(key):
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"Unknown notification kind {key!r}; register it first.") from None


def registered_kinds():
    return dict(_KINDS)
