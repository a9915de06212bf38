"""The page between a staff account without a second factor and its set-up: a code sent
to the account's address must be entered first (see pioneer.enrolment)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pioneer.enrolment import Result, code_send, code_sent, code_verify, needs_confirmation
from pioneer.forms import CodeForm

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
        {"form": form, "next": target, "sent": code_sent(request)},
        status=status,
    )
