"""Every e-mail goes through the ledger: pre-rendered ones (allauth's, the interest form's,
barrier reports) for a bare address, sent after the commit, never on rollback; a stable
Message-ID; a failure after the server accepted a message is no failure to send."""

import smtplib

import pytest
from django.core import mail as outbox
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction

from pioneer import mail, services
from pioneer.models import Notification, OutgoingMail
from tests.factories.core import NotificationFactory


@pytest.mark.django_db(transaction=True)
def test_a_prerendered_mail_is_sent_only_after_the_commit_and_never_on_rollback():
    with transaction.atomic():
        row = services.mail_schedule(
            kind="mail.test",
            to="a@example.org",
            language="en",
            subject="Hallo",
            text="Text",
            html="<p>x</p>",
            reply_to="r@example.org",
        )
        assert outbox.outbox == []
        assert (row.recipient, row.email, row.language) == (None, "a@example.org", "en")
    assert len(outbox.outbox) == 1
    sent = outbox.outbox[0]
    assert sent.subject.endswith("Hallo") and sent.to == ["a@example.org"]
    assert sent.reply_to == ["r@example.org"]
    assert sent.alternatives[0][1] == "text/html"
    row.refresh_from_db()
    assert (row.state, row.subject) == (Notification.State.SENT, "Hallo")

    with pytest.raises(RuntimeError), transaction.atomic():
        services.mail_schedule(
            kind="mail.test", to="b@example.org", language="de", subject="Nie", text="Text"
        )
        raise RuntimeError
    assert len(outbox.outbox) == 1
    assert not Notification.objects.filter(email="b@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_the_body_of_a_prerendered_mail_is_blanked_once_sent():
    secret = "/accounts/password/reset/key/abc-SECRET/"
    with transaction.atomic():
        row = services.mail_schedule(
            kind="mail.test", to="a@example.org", language="de", subject="S", text=secret
        )
        content = OutgoingMail.objects.get(pk=row.object_id)
        assert secret in content.text  # kept until it is sent ...
    assert secret in outbox.outbox[0].body
    content.refresh_from_db()
    assert (content.text, content.html, content.subject) == ("", "", "S")  # ... not after
    row.refresh_from_db()
    assert secret not in row.body + row.subject + row.link


@pytest.mark.django_db
def test_a_prerendered_kind_must_say_so():
    with pytest.raises(ValueError):
        services.mail_schedule(
            kind="account.x", to="a@example.org", language="de", subject="S", text=""
        )


@pytest.mark.django_db
def test_every_message_carries_a_stable_message_id_from_its_row(settings):
    settings.DEFAULT_FROM_EMAIL = "Pioneer <noreply@ministerium.example>"
    row = NotificationFactory()
    assert services.notification_send(notification_id=row.pk) is True
    (message,) = outbox.outbox
    message_id = message.extra_headers["Message-ID"]
    assert message_id.startswith(f"<pioneer.{row.pk}.")
    assert message_id.endswith("@ministerium.example>")
    assert message.message()["Message-ID"] == message_id
    # A resend of the same row (after a sender died) is the same message.
    Notification.objects.filter(pk=row.pk).update(state=Notification.State.PENDING)
    assert services.notification_send(notification_id=row.pk) is True
    assert outbox.outbox[1].extra_headers["Message-ID"] == message_id
    other = NotificationFactory()
    services.notification_send(notification_id=other.pk)
    assert outbox.outbox[2].extra_headers["Message-ID"] != message_id


class QuitFails(LocmemBackend):
    """A server that accepts the message and then breaks on QUIT."""

    def close(self):
        raise smtplib.SMTPServerDisconnected("connection lost on QUIT")


@pytest.mark.django_db
def test_a_failure_after_the_server_accepted_the_message_is_not_a_failure(settings):
    settings.EMAIL_BACKEND = "tests.pioneer.test_mail.QuitFails"
    row = NotificationFactory()
    assert services.notification_send(notification_id=row.pk) is True
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (Notification.State.SENT, 1, "")
    assert len(outbox.outbox) == 1
    # The dispatcher's batch over one connection: the same.
    rows = NotificationFactory.create_batch(3)
    assert services.notification_dispatch_due(inline=True) == 3
    assert {r.state for r in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {
        Notification.State.SENT
    }


@pytest.mark.parametrize(("language", "word"), [("de", "Interesse"), ("en", "interest")])
def test_render_uses_the_readers_language(language, word):
    from types import SimpleNamespace

    registration = SimpleNamespace(
        contact_name="Kim",
        organisation_name="Firma",
        cohort=SimpleNamespace(title="T"),
        decline_reason="",
    )
    subject, text, html = mail.render(
        "cohorts/email/interest_confirm",
        {"registration": registration, "link": "/x/", "site_url": "", "valid_hours": 72},
        language=language,
    )
    assert word.lower() in (subject + text).lower()
    assert "<" in html


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_preview_renders_the_same_subject_and_text_without_the_html(language):
    """`html=False` (what the pages' previews ask for) leaves the HTML out and nothing
    else: the subject and text are those of the whole triple, escaped names and all."""
    from pioneer.models import User

    person = User(name='Kim <&> "O\'Brien"', email="kim@example.org", language=language)
    context = {"recipient": person, "target": person, "notification": None}
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        context.update(link=gettext("(link sent by e-mail only)"), site_url="")
    whole = mail.render("notifications/account_invitation", context, language=language)
    subject, text, html = mail.render(
        "notifications/account_invitation", context, language=language, html=False
    )
    assert (subject, text, html) == (*whole[:2], None)
    assert 'Kim <&> "O\'Brien"' in text
    shown = services.notification_preview(
        kind="account.invitation", target=person, recipient=person
    )
    assert shown[:2] == whole[:2]
