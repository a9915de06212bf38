"""`make run` as a newcomer meets it: readable e-mails in the terminal, links to the port
it serves on."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives

from pioneer.email_console import EmailBackend

ROOT = Path(__file__).resolve().parents[2]


def test_console_backend_prints_subject_and_text_decoded_and_framed():
    stream = StringIO()
    message = EmailMultiAlternatives(
        subject="Bestätigen Sie Ihre Interessensbekundung – Größe",
        body="Guten Tag Jörg,\n\nbitte bestätigen Sie: http://127.0.0.1:8001/interest/confirm/abc/\n"
        + "ä" * 120,
        from_email="Pioneer <noreply@pioneer.example>",
        to=["jörg@example.org"],
    )
    message.attach_alternative("<p>Guten Tag Jörg</p>", "text/html")
    assert EmailBackend(stream=stream).send_messages([message]) == 1
    out = stream.getvalue()
    assert "Subject: Bestätigen Sie Ihre Interessensbekundung – Größe" in out
    assert "To:      jörg@example.org" in out
    assert "Guten Tag Jörg," in out and "ä" * 120 in out
    assert "http://127.0.0.1:8001/interest/confirm/abc/" in out
    # Neither MIME encodings nor the HTML part reach the terminal.
    for raw in ("=?utf-8?", "Content-Transfer-Encoding", "base64", "=C3=A4", "<p>"):
        assert raw not in out
    assert out.count("=" * 78) == 2
    assert "(also sent as text/html; the text part follows)" in out


def test_make_run_chooses_the_readable_backend_and_tests_do_not(settings):
    env = dict(os.environ, DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="pioneer.settings")
    env.pop("EMAIL_URL", None)
    printed = _settings(env, "EMAIL_BACKEND")
    assert printed == "pioneer.email_console.EmailBackend"
    assert printed != settings.EMAIL_BACKEND


def _settings(env, name):
    code = f"import django; django.setup(); from django.conf import settings as s; print(s.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_site_url_follows_port_unless_set():
    env = dict(os.environ, DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="pioneer.settings")
    env.pop("SITE_URL", None)
    env["PORT"] = "8123"
    assert _settings(env, "SITE_URL") == "http://127.0.0.1:8123"
    env["SITE_URL"] = "https://pioneer.example"
    assert _settings(env, "SITE_URL") == "https://pioneer.example"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_its_port_into_site_url():
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}}
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout
    for command in ("seed_demo", "runserver"):
        line = next(line for line in plan.splitlines() if command in line)
        assert "SITE_URL=http://127.0.0.1:8123" in line, line
    assert "runserver 127.0.0.1:8123" in plan
