"""Request middleware: the user's language, and the second factor for staff roles."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from pioneer.rules import has_staff_role, has_totp

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


class StaffMFAMiddleware:
    """Programme office and evaluators must set up TOTP before they see anything else.

    Only when settings.REQUIRE_STAFF_MFA is on (production's default). Account pages
    (allauth, where the set-up happens), the language switch, the health check and the
    legal pages (accessibility statement, privacy notice, imprint, easy language) stay
    reachable; everything else redirects to the TOTP set-up.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/health/", "/i18n/", "/media/")
    ALLOWED_URL_NAMES = {"accessibility", "privacy", "imprint", "easy_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            settings.REQUIRE_STAFF_MFA
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and getattr(request.resolver_match, "url_name", None) not in self.ALLOWED_URL_NAMES
            and has_staff_role(request.user)
            and not has_totp(request.user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return None
