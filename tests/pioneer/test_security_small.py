"""The smaller security things: Permissions-Policy, no-store for personal data, an e-mail
code before a staff account enrols a second factor, the sign-in lock per client and
address, and the proxy addresses gunicorn trusts."""

import re
import runpy

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core import mail
from django.urls import reverse

from pioneer import enrolment
from tests.factories.cohorts import CohortFactory
from tests.factories.core import (
    PASSWORD,
    UserFactory,
    evaluator_user,
    office_user,
    participant_user,
)

# Transactional: the code e-mail goes through the ledger after the commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _english(client):
    # Messages are matched in English (the source language).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


ACTIVATE = "/accounts/2fa/totp/activate/"
CONFIRM = "/accounts/2fa/confirm-by-email/"


# Headers ------------------------------------------------------------------------------


def test_permissions_policy_denies_every_powerful_feature(client):
    policy = client.get("/").headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "*" not in policy and "self" not in policy


def test_public_pages_for_visitors_stay_cacheable(client):
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_pages_for_signed_in_people_are_not_stored(client):
    client.force_login(participant_user())
    for path in ("/home/", "/", "/notifications/"):
        response = client.get(path)
        assert "no-store" in response.headers["Cache-Control"], path
        assert "private" in response.headers["Cache-Control"], path


def test_downloads_are_not_stored(client):
    cohort = CohortFactory()
    client.force_login(office_user(org=cohort.programme.organisation))
    response = client.get(f"/cohorts/{cohort.pk}/participants/export.csv")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]


# E-mail code before enrolling a second factor -------------------------------------------


def _code():
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.mark.parametrize(
    "make_user", [office_user, evaluator_user, lambda: UserFactory(is_staff=True)]
)
def test_staff_without_a_second_factor_must_confirm_by_e_mail_first(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response.url.startswith(CONFIRM)
    # The code page is reachable; nothing is sent before the person asks.
    assert client.get(response.url).status_code == 200
    assert mail.outbox == []
    response = client.post(CONFIRM, {"send": "1", "next": ACTIVATE})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [user.email]
    response = client.post(CONFIRM, {"code": _code(), "next": ACTIVATE})
    assert response.url == ACTIVATE
    # Past the e-mail check; allauth's own password check comes next.
    assert client.get(ACTIVATE).url.startswith(reverse("account_reauthenticate"))


def test_recovery_codes_cannot_be_enrolled_around_the_check(client):
    client.force_login(office_user())
    response = client.get(reverse("mfa_generate_recovery_codes"))
    assert response.url.startswith(CONFIRM)


def test_people_without_a_staff_role_are_not_asked(client):
    client.force_login(participant_user())
    response = client.get(ACTIVATE)
    assert not response.url.startswith(CONFIRM)


def test_staff_with_a_second_factor_are_not_asked(client):
    user = office_user()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    assert client.get(CONFIRM).url == ACTIVATE  # nothing to confirm: on to the next page


def test_a_wrong_code_changes_nothing_and_five_lock_the_code(client):
    client.force_login(office_user())
    client.post(CONFIRM, {"send": "1"})
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(CONFIRM, {"code": wrong})
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert client.get(ACTIVATE).url.startswith(CONFIRM)
    for _ in range(enrolment.MAX_ATTEMPTS - 1):
        client.post(CONFIRM, {"code": wrong})
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(ACTIVATE).url.startswith(CONFIRM)
    # A new code works again.
    client.post(CONFIRM, {"send": "1"})
    assert client.post(CONFIRM, {"code": _code()}).status_code == 302


@pytest.mark.parametrize("value", ["", "12345", "abcdef", "\x00" * 6, "9" * 400])
def test_malformed_codes_are_refused_with_a_message(client, value):
    client.force_login(office_user())
    client.post(CONFIRM, {"send": "1"})
    response = client.post(CONFIRM, {"code": value})
    assert response.status_code == 400
    assert client.get(ACTIVATE).url.startswith(CONFIRM)


def test_an_expired_code_is_refused(client):
    client.force_login(office_user())
    client.post(CONFIRM, {"send": "1"})
    code = _code()
    session = client.session
    session[enrolment.SESSION_KEY]["expires"] = 0
    session.save()
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_a_code_is_no_use_in_another_browser(client):
    user = office_user()
    client.force_login(user)
    client.post(CONFIRM, {"send": "1"})
    code = _code()
    from django.test import Client

    thief = Client()
    thief.force_login(user)
    response = thief.post(CONFIRM, {"code": code})
    assert response.status_code == 400
    assert thief.get(ACTIVATE).url.startswith(CONFIRM)


def test_codes_are_rate_limited(client):
    client.force_login(office_user())
    for _ in range(enrolment.SENDS_PER_HOUR):
        assert client.post(CONFIRM, {"send": "1"}).status_code == 302
    response = client.post(CONFIRM, {"send": "1"})
    assert response.status_code == 429
    assert len(mail.outbox) == enrolment.SENDS_PER_HOUR


def test_the_code_e_mail_is_in_the_persons_language(client):
    client.force_login(office_user(language="en"))
    client.post(CONFIRM, {"send": "1"})
    assert "second factor" in mail.outbox[-1].subject
    assert mail.outbox[-1].body.startswith("Hello")


def test_the_confirmation_page_refuses_a_foreign_return_address(client):
    client.force_login(office_user())
    client.post(CONFIRM, {"send": "1"})
    response = client.post(CONFIRM, {"code": _code(), "next": "https://evil.example/"})
    assert response.url == ACTIVATE


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(CONFIRM).url.startswith(reverse("account_login"))


# Sign-in lock per client and address -----------------------------------------------------


def _login(client, user, password, ip):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": password}, REMOTE_ADDR=ip
    )


def test_failed_sign_ins_lock_the_client_not_the_address(client):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for _ in range(5):
        response = _login(client, user, "falsch-falsch", "10.0.0.1")
        assert response.status_code == 200
    # From the guessing client, even the right password is refused now ...
    response = _login(client, user, PASSWORD, "10.0.0.1")
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    # ... while the owner, elsewhere, signs in as usual.
    from django.test import Client

    owner = Client()
    response = _login(owner, user, PASSWORD, "10.0.0.2")
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)


# Gunicorn ---------------------------------------------------------------------------------


def test_forwarded_allow_ips_comes_from_the_environment(monkeypatch, settings):
    path = settings.BASE_DIR / "gunicorn.conf.py"
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.1.2.3")
    assert runpy.run_path(str(path))["forwarded_allow_ips"] == "10.1.2.3"
    env_example = (settings.BASE_DIR / ".env.example").read_text()
    assert "FORWARDED_ALLOW_IPS=" in env_example
