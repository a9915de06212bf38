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
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pioneer import ratelimit
from pioneer.rules import has_staff_role, has_totp
from pioneer.validators import SafeForm

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


def is_confirmed(request):
    return _state(request).get("confirmed_until", 0) > time.time()


def needs_confirmation(request):
    """True for a signed-in staff account without a second factor that has not confirmed
    by e-mail in this session lately."""
    user = request.user
    return (
        user.is_authenticated
        and has_staff_role(user)
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


class CodeForm(SafeForm):
    code = forms.RegexField(
        label=gettext_lazy("Code from the e-mail"),
        regex=r"^\s*\d{6}\s*$",
        max_length=20,
        error_messages={
            "required": gettext_lazy("Enter the six-digit code from the e-mail."),
            "invalid": gettext_lazy("Enter the six-digit code from the e-mail."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


MESSAGES = {
    Result.WRONG: gettext_lazy("This code is not right. Please check the e-mail."),
    Result.EXPIRED: gettext_lazy("This code has expired. Please ask for a new one."),
    Result.LOCKED: gettext_lazy("Too many wrong codes. Please ask for a new one."),
    Result.NONE: gettext_lazy("Please ask for a code first."),
}


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return reverse("mfa_activate_totp")


@login_required
def confirm(request):
    """The page between a staff account and the second factor's set-up."""
    target = _next_url(request)
    if not needs_confirmation(request):
        return redirect(target)
    form = CodeForm()
    status = 200
    if request.method == "POST" and "send" in request.POST:
        if code_send(request=request):
            messages.success(
                request,
                _("We have sent a code to %(email)s.") % {"email": request.user.email},
            )
            return redirect(f"{reverse('mfa_enrol_confirm')}?{urlencode({'next': target})}")
        messages.error(request, _("Too many codes were requested. Please try again in an hour."))
        status = 429
    elif request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            result = code_verify(request=request, code=form.cleaned_data["code"].strip())
            if result == Result.CONFIRMED:
                return redirect(target)
            form.add_error("code", MESSAGES[result])
        status = 400
    return render(
        request,
        "pioneer/mfa_enrol_confirm.html",
        {"form": form, "next": target, "sent": bool(_state(request).get("digest"))},
        status=status,
    )
