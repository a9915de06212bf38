"""Middleware: the second factor for staff roles, and the language of each request."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.urls import reverse

from tests.factories.core import (
    PASSWORD,
    UserFactory,
    evaluator_user,
    office_user,
    participant_user,
    partner_user,
)

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def _code(secret):
    """The code of the present period; near a period's end, the next one's (waited for):
    a code made in one period and checked in the next is refused (no tolerance), which
    failed a test now and then."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 2:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def _verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def mfa_required(settings):
    settings.REQUIRE_STAFF_MFA = True


# second factor --------------------------------------------------------------------------


def test_activate_url_is_the_one_the_middleware_uses():
    assert reverse("mfa_activate_totp") == ACTIVATE


@pytest.mark.parametrize("make_user", [office_user, evaluator_user])
@pytest.mark.parametrize("path", ["/home/", "/invite/", "/notifications/", "/"])
def test_staff_without_totp_are_sent_to_set_it_up(client, mfa_required, make_user, path):
    client.force_login(make_user())
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == ACTIVATE


@pytest.mark.parametrize("make_user", [office_user, evaluator_user])
def test_staff_without_totp_still_reach_accounts_and_legal_pages(client, mfa_required, make_user):
    client.force_login(make_user())
    for path in ("/impressum/", "/barrierefreiheit/", "/datenschutz/", "/accounts/email/"):
        assert client.get(path).status_code == 200, path
    response = client.post("/i18n/language/", {"language": "en", "next": "/impressum/"})
    assert response.url == "/impressum/"


@pytest.mark.parametrize("make_user", [office_user, evaluator_user])
def test_staff_with_totp_pass(client, mfa_required, make_user):
    user = make_user()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    response = client.get("/home/")
    assert response.status_code == 200
    assert "core.mfa" not in {panel.key for panel in response.context["panels"]}


def test_technical_administrators_need_the_second_factor_too(client, mfa_required):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/").url == ACTIVATE
    TOTP.activate(admin, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("make_user", [participant_user, partner_user, UserFactory])
def test_other_roles_are_not_affected(client, mfa_required, make_user):
    client.force_login(make_user())
    assert client.get("/home/").status_code == 200


def test_nothing_is_required_when_the_switch_is_off(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    client.force_login(office_user())
    response = client.get("/home/")
    assert response.status_code == 200
    # ... but the home page still asks them to secure the account.
    assert "core.mfa" in {panel.key for panel in response.context["panels"]}


def test_production_defaults_to_requiring_the_second_factor():
    import subprocess
    import sys

    code = (
        "import os; os.environ.pop('REQUIRE_STAFF_MFA', None); "
        "os.environ['DJANGO_DEBUG'] = 'false'; "
        "import pioneer.settings as s; print(s.REQUIRE_STAFF_MFA)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_office_sets_up_totp_after_login_and_then_gets_in(
    client, mfa_required, django_capture_on_commit_callbacks
):
    user = _verified(office_user())
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/home/")
    assert response.url == ACTIVATE
    # First a code sent to the account's address (a password alone is not enough) ...
    response = client.get(ACTIVATE)
    assert response.url.startswith(reverse("mfa_enrol_confirm"))
    mail.outbox.clear()
    # The code e-mail goes through the ledger after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"send": "1", "next": ACTIVATE})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    response = client.post(reverse("mfa_enrol_confirm"), {"code": code, "next": ACTIVATE})
    assert response.url == ACTIVATE
    # ... then allauth asks for the password once more before adding a second factor.
    response = client.get(ACTIVATE)
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == ACTIVATE
    response = client.get(ACTIVATE)
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE, {"code": "000000" if _code(secret) != "000000" else "1"})
    assert response.status_code == 200  # a wrong code: the form again, nothing stored
    assert not Authenticator.objects.filter(user=user).exists()
    response = client.post(ACTIVATE, {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/home/").status_code == 200


def test_login_with_totp_asks_for_the_code(client, mfa_required):
    user = _verified(office_user())
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Not signed in before the second factor.
    assert client.get("/home/").url.startswith(reverse("account_login"))

    response = client.post(reverse("mfa_authenticate"), {"code": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors

    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302
    assert response.url == reverse("home")
    response = client.get("/home/")
    assert response.status_code == 200
    assert response.context["user"] == user


# language -------------------------------------------------------------------------------


def test_anonymous_visitors_get_german_whatever_the_browser_says(client):
    response = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="de">' in response.content.decode()
    assert "Cookie" in response["Vary"]


def test_a_signed_in_person_gets_their_language(client):
    client.force_login(participant_user(language="en"))
    response = client.get("/home/")
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_the_cookie_of_the_switch_wins_over_the_stored_preference(client):
    client.force_login(participant_user(language="en"))
    client.cookies["django_language"] = "de"
    assert '<html lang="de">' in client.get("/home/").content.decode()


def test_an_unknown_cookie_value_is_ignored(client):
    client.force_login(participant_user(language="en"))
    client.cookies["django_language"] = "xx"
    assert '<html lang="en">' in client.get("/home/").content.decode()
    client.logout()
    client.cookies["django_language"] = "<script>"
    response = client.get("/impressum/")
    assert '<html lang="de">' in response.content.decode()


def test_home_with_the_second_factor_required_stays_within_the_query_budget(
    client, mfa_required, django_assert_max_num_queries
):
    user = office_user()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    with django_assert_max_num_queries(10):
        assert client.get("/home/").status_code == 200
