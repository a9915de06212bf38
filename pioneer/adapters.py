"""allauth glue: no open sign-up (people are invited or register interest), e-mails in
the recipient's own language, and failed sign-ins counted per client and address."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        user = context.get("user")
        language = getattr(user, "language", None) or translation.get_language()
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)

    def _get_login_attempts_cache_key(self, request, **credentials):
        """The "login_failed" lock's key: the client's address together with the login.

        allauth keys it by the login alone, so five wrong passwords from anywhere would
        lock the programme office out of its own account. Per (client, address), only the
        client that guesses is locked; the per-IP limit still caps each client overall.
        """
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{self.get_client_ip(request)}:{key}"
