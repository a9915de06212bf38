"""allauth glue: no open sign-up (people are invited or register interest), e-mails in
the recipient's own language through the ledger, and failed sign-ins counted per client
and address."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from pioneer import mail
from pioneer.services import mail_schedule


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        """allauth's e-mails (verification, password reset, ...) go through the ledger:
        rendered now, in the recipient's language (their key exists only now), and sent
        after the commit or by the dispatcher, so neither a slow mail server nor a broker
        outage holds up or fails the request. The body, which may hold the key, is
        blanked once sent (pioneer.models.OutgoingMail)."""
        request = allauth_context.request
        # The same context allauth's own send_mail gives its templates.
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        user = context.get("user")
        language = getattr(user, "language", None) or translation.get_language()
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        subject = message.subject.removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
        text, html = message.body, ""
        if message.content_subtype == "html":
            text, html = "", message.body
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        if text:
            with translation.override(language):
                text = mail.signed(text)
        mail_schedule(
            kind="mail.account",
            to=email,
            language=language or settings.LANGUAGE_CODE,
            subject=subject,
            text=text,
            html=html,
        )

    def _get_login_attempts_cache_key(self, request, **credentials):
        """The "login_failed" lock's key: the client's address together with the login.

        allauth keys it by the login alone, so five wrong passwords from anywhere would
        lock the programme office out of its own account. Per (client, address), only the
        client that guesses is locked; the per-IP limit still caps each client overall.
        """
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{self.get_client_ip(request)}:{key}"
