"""Re-confirming by e-mail before a staff account enrols a second factor.

A staff account (programme office, evaluator, technical administrator) without a second
factor is one password away from being taken over: whoever has the password could
enrol their own authenticator app and lock the owner out. So before the set-up pages,
the account proves it also reads the account's mailbox: a six-digit code, sent there,
valid for CODE_VALID, at most MAX_ATTEMPTS tries per code and SENDS_PER_HOUR codes.

The state lives in the (server-side) session of the person who asked: a code is no use
in another browser. Only a hash of the code is kept.
"""

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from allauth.account.adapter import get_adapter

from pioneer import ratelimit
from pioneer.rules import has_totp, needs_second_factor

CODE_VALID = timedelta(minutes=10)
# How long a confirmation lasts: long enough to install an app and scan the code.
CONFIRMED_VALID = timedelta(minutes=30)
MAX_ATTEMPTS = 5
SENDS_PER_HOUR = 5
SESSION_KEY = "pioneer_mfa_enrolment"
# The allauth pages that add a second factor.
ENROLMENT_URL_NAMES = frozenset({"mfa_activate_totp", "mfa_generate_recovery_codes"})
EMAIL_TEMPLATE = "account/email/mfa_enrol_code"


class Result:
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    NONE = "none"


def _digest(user, code):
    return hashlib.sha256(f"{user.pk}:{code}".encode()).hexdigest()


def _state(request):
    return request.session.get(SESSION_KEY) or {}


def code_sent(request):
    """A code was sent in this session and may be entered."""
    return bool(_state(request).get("digest"))


def is_confirmed(request):
    return _state(request).get("confirmed_until", 0) > time.time()


def needs_confirmation(request):
    """True for a signed-in staff account without a second factor that has not confirmed
    by e-mail in this session lately."""
    user = request.user
    return (
        user.is_authenticated
        and needs_second_factor(user)
        and not has_totp(user)
        and not is_confirmed(request)
    )


def code_send(*, request):
    """E-mail a fresh code to the signed-in person's address; the previous one stops
    working. Returns False (nothing sent) when SENDS_PER_HOUR is used up.

    Side effects: one e-mail (allauth's adapter, in the person's language).
    """
    user = request.user
    if ratelimit.count(f"mfa_enrol:{user.pk}", period=3600) > SENDS_PER_HOUR:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[SESSION_KEY] = {
        "digest": _digest(user, code),
        "expires": time.time() + CODE_VALID.total_seconds(),
        "attempts": 0,
    }
    get_adapter(request).send_mail(
        EMAIL_TEMPLATE,
        user.email,
        {"user": user, "code": code, "minutes": int(CODE_VALID.total_seconds() // 60)},
    )
    return True


def code_verify(*, request, code):
    """Check a code against the one sent in this session. No e-mails."""
    state = dict(_state(request))
    if not state.get("digest"):
        return Result.NONE
    if state["attempts"] >= MAX_ATTEMPTS:
        return Result.LOCKED
    if state["expires"] < time.time():
        return Result.EXPIRED
    state["attempts"] += 1
    if hmac.compare_digest(state["digest"], _digest(request.user, code)):
        state = {"confirmed_until": time.time() + CONFIRMED_VALID.total_seconds()}
        request.session[SESSION_KEY] = state
        return Result.CONFIRMED
    request.session[SESSION_KEY] = state
    return Result.LOCKED if state["attempts"] >= MAX_ATTEMPTS else Result.WRONG
