"""Request middleware: the user's language, privacy headers, and the second factor for the
roles that must use one."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import urlencode

from pioneer import enrolment
from pioneer.rules import has_totp, needs_second_factor

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """German by default; the language switch (cookie) wins, then the user's preference.

    We do not follow the browser's Accept-Language: the programme's working language is
    German, and a civil servant's browser set to English should not surprise them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in SUPPORTED:
            user = getattr(request, "user", None)
            language = (
                user.language
                if user is not None and user.is_authenticated and user.language in SUPPORTED
                else settings.LANGUAGE_CODE
            )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


# Nothing of this sort is used anywhere; a script that slipped in could not ask for it.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivacyHeadersMiddleware:
    """A restrictive Permissions-Policy everywhere, and `Cache-Control: no-store` on
    whatever may hold personal data: every response to a signed-in person and every
    download. A shared computer's browser cache or a proxy must not keep them. Public
    pages for anonymous visitors stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        download = "attachment" in response.get("Content-Disposition", "")
        if signed_in or download:
            add_never_cache_headers(response)
        return response


class SecondFactorMiddleware:
    """Programme office and evaluators must set up TOTP before they see anything else.

    Only when settings.REQUIRE_STAFF_MFA is on (production's default). Account pages
    (allauth, where the set-up happens), the language switch, the health check and the
    legal pages (accessibility statement, privacy notice, imprint, easy language) stay
    reachable; everything else redirects to the TOTP set-up.

    Always (switch or not): a staff account without a second factor reaches the pages
    that enrol one only after confirming a code sent to its address (`pioneer.enrolment`).
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/health/", "/i18n/", "/media/")
    ALLOWED_URL_NAMES = {"accessibility", "privacy", "imprint", "easy_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        url_name = getattr(request.resolver_match, "url_name", None)
        if url_name in enrolment.ENROLMENT_URL_NAMES and enrolment.needs_confirmation(request):
            # Whether or not the factor is required: adding one needs the mailbox too.
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_enrol_confirm')}?{query}")
        if (
            settings.REQUIRE_STAFF_MFA
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and url_name not in self.ALLOWED_URL_NAMES
            and needs_second_factor(request.user)
            and not has_totp(request.user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return None
