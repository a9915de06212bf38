"""The pseudonymous code that links a person's answers across the surveys of a programme
without naming them.

    programme_key = HMAC-SHA256(EVALUATION_PSEUDONYM_KEY, "pioneer.evaluation.programme:<id>")
    code          = HMAC-SHA256(programme_key, "person:<user id>")   (hex, 64 characters)

`EVALUATION_PSEUDONYM_KEY` comes from the environment and is never written to the
database, so the codes in the database cannot be turned back into people by anyone who
holds only the database (a copy, a backup, the admin). Each programme has its own derived
key: the same person gets unrelated codes in two programmes, so codes cannot be joined
across programmes either. Whoever holds both the database and the key (the operator of the
server) could compute a given person's code; no page, export or admin view does, and the
key should be kept as carefully as the database password. Changing the key breaks the link
between surveys answered before and after the change (nothing else).
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _master_key():
    key = settings.EVALUATION_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("EVALUATION_PSEUDONYM_KEY must be set.")
    return key.encode()


def programme_key(programme_id):
    return hmac.new(
        _master_key(), f"pioneer.evaluation.programme:{programme_id}".encode(), hashlib.sha256
    ).digest()


def pseudonym(*, programme_id, user_id):
    return hmac.new(
        programme_key(programme_id), f"person:{user_id}".encode(), hashlib.sha256
    ).hexdigest()
