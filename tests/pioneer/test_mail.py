"""E-mails outside the ledger: rendered in the reader's language, sent after the commit."""

import pytest
from django.core import mail as outbox
from django.db import transaction

from pioneer import mail


@pytest.mark.django_db(transaction=True)
def test_sent_only_after_the_commit_and_never_on_rollback():
    with transaction.atomic():
        mail.send_after_commit(to=["a@example.org"], subject="Hallo", text="Text", html="<p>x</p>")
        assert outbox.outbox == []
    assert len(outbox.outbox) == 1
    sent = outbox.outbox[0]
    assert sent.subject.endswith("Hallo") and sent.to == ["a@example.org"]
    assert sent.alternatives[0][1] == "text/html"

    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send_after_commit(to=["b@example.org"], subject="Nie", text="Text")
        raise RuntimeError
    assert len(outbox.outbox) == 1


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
