"""Public pages and each person's home: landing, home per role, static pages, the
accessibility statement with its barrier report, the language switch."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pioneer import hooks, ratelimit, selectors, services
from pioneer.forms import BarrierReportForm, LanguageForm
from pioneer.landing import sections_html
from pioneer.models import Role
from pioneer.rules import roles_of


def landing(request):
    return render(request, "pioneer/landing.html", {"sections": sections_html()})


@login_required
def home(request):
    roles = roles_of(request.user)
    return render(
        request,
        "pioneer/home.html",
        {
            "panels": hooks.collect(hooks.home_panels, request=request, roles=roles),
            "role_labels": [Role.Kind(kind).label for kind in sorted(roles.kinds)],
            "unread": selectors.unread_count(request.user),
        },
    )


def static_page(request, template):
    return render(request, template)


BARRIER_REPORTS_PER_HOUR = 10


def accessibility(request):
    # An empty POST is still a submission: it must show errors, not a blank form.
    form = BarrierReportForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL}
    if request.method == "POST" and form.is_valid():
        # Each report e-mails a person: keep the public form from flooding their inbox.
        if ratelimit.over_limit(
            request, action="barrier_report", limit=BARRIER_REPORTS_PER_HOUR, period=3600
        ):
            form.add_error(
                None,
                _(
                    "Too many reports were sent from your connection. Please try again in "
                    "an hour or write us an e-mail."
                ),
            )
            return render(request, "pioneer/accessibility.html", context, status=429)
        services.barrier_report_submit(**form.cleaned_data, language=request.LANGUAGE_CODE)
        messages.success(request, _("Thank you. We have received your report and will answer it."))
        return redirect("accessibility")
    return render(
        request, "pioneer/accessibility.html", context, status=400 if form.errors else 200
    )


@require_POST
def set_language(request):
    """The language switch: a cookie for everyone, and the preference of a signed-in person."""
    form = LanguageForm(request.POST)
    valid = form.is_valid()
    # A broken return address (control characters ...) is dropped; the switch still works.
    target = form.cleaned_data.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if valid:
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
