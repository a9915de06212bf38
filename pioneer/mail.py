"""E-mails rendered in the reader's language and sent outside the request.

Every e-mail of the project is a template triple `<name>_subject.txt`, `<name>.txt`,
`<name>.html` (the notification kinds, the interest form's confirmation, ...). Mail that
is not in the notification ledger (people without an account, such as a visitor who
registered interest) goes out through `send_after_commit`: a task after the transaction
commits, so a slow mail server never holds up a page.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def render(template, context, *, language):
    """(subject, text, html) of a template triple, in `language`."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context).strip()
        html = render_to_string(f"{template}.html", context)
    return subject, text, html


def message(*, to, subject, text, html=None, reply_to=None):
    """The e-mail itself, with our subject prefix."""
    email = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        to=list(to),
        reply_to=list(reply_to) if reply_to else None,
    )
    if html:
        email.attach_alternative(html, "text/html")
    return email


def send_after_commit(*, to, subject, text, html=None, reply_to=None):
    """Queue the e-mail for after the commit (inline without a broker)."""
    from pioneer.tasks import send_email

    payload = {
        "to": list(to),
        "subject": subject,
        "text": text,
        "html": html,
        "reply_to": list(reply_to) if reply_to else None,
    }
    transaction.on_commit(lambda: send_email.delay(**payload))
