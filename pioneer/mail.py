"""E-mails rendered in the reader's language, and the message itself.

Every e-mail of the project is a template triple `<name>_subject.txt`, `<name>.txt`,
`<name>.html` (the notification kinds, the interest form's confirmation, ...). Nothing
here sends: every e-mail goes through the notification ledger (pioneer.services,
`notification_schedule` and `mail_schedule`), which records it in the same transaction
as its cause and sends it after the commit or from the dispatcher.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def render(template, context, *, language, html=True):
    """(subject, text, html) of a template triple, in `language`. The text ends with the
    programme office's signature; the HTML has it from its base template. Without `html`
    (a preview on a page shows the text), the HTML is None and not rendered: it was
    two thirds of the work."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = signed(render_to_string(f"{template}.txt", context))
        html = render_to_string(f"{template}.html", context) if html else None
    return subject, text, html


def signed(text):
    """`text` with the signature (who runs the programme, how to reach them) below it, in
    the active language."""
    return f"{text.strip()}\n\n{render_to_string('notifications/signature.txt').strip()}\n"


def message_id(key):
    """A stable Message-ID for `key` (a ledger row): a message sent twice is recognisably
    the same message to mail servers and clients, which may drop the second copy."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "pioneer.invalid"
    return f"<{key}@{domain}>"


def message(*, to, subject, text, html=None, reply_to=None, message_id=None):
    """The e-mail itself, with our subject prefix (and the given Message-ID)."""
    email = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
        headers={"Message-ID": message_id} if message_id else None,
    )
    if html:
        email.attach_alternative(html, "text/html")
    return email
