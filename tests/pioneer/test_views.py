"""Views of the core: invitations end to end, language switch, home per role, barrier report."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from pioneer.models import BarrierReport, Notification, Organisation, Role, User
from tests.factories.core import PASSWORD as PW
from tests.factories.core import (
    OrganisationFactory,
    UserFactory,
    evaluator_user,
    office_user,
    participant_user,
    partner_user,
)

pytestmark = pytest.mark.django_db

INVITE = "/invite/"
LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)")


def _login(client, user, language="de"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _invite_data(**overrides):
    data = {
        "name": "Ina Invited",
        "email": "ina@example.org",
        "language": "en",
        "kind": "participant",
        "organisation": "",
    }
    data.update(overrides)
    return data


# invitations -----------------------------------------------------------------------------


def test_invite_page_as_office(client):
    _login(client, office_user())
    response = client.get(INVITE)
    assert response.status_code == 200
    assert "Personen einladen" in response.content.decode()


def test_invite_page_anonymously_redirects_to_login(client):
    for method in (client.get, client.post):
        response = method(INVITE)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login") + "?next=")
    assert not User.objects.exists()


@pytest.mark.parametrize("make_user", [participant_user, evaluator_user, partner_user])
def test_invite_page_is_forbidden_to_other_roles(client, make_user):
    _login(client, make_user())
    assert client.get(INVITE).status_code == 403
    before = User.objects.count()
    assert client.post(INVITE, _invite_data()).status_code == 403
    assert User.objects.count() == before


def test_invited_person_gets_an_email_in_their_language_and_can_set_a_password_and_log_in(
    client, django_capture_on_commit_callbacks
):
    office = office_user()
    _login(client, office, language="de")  # the office works in German ...
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, _invite_data(language="en"))  # ... Ina reads English
    assert response.status_code == 302
    invited = User.objects.get(email="ina@example.org")
    assert Role.objects.filter(user=invited, kind="participant").exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ina@example.org"]
    assert message.subject == "[Pioneer] You are invited to Pioneer"
    assert "Please set your password" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="en">' in html
    link = LINK.search(message.body).group(1)
    assert link in html

    visitor = client.__class__()
    response = visitor.get(link)
    assert response.status_code == 302  # allauth keeps the key in the session
    set_password_url = response.url
    response = visitor.get(set_password_url)
    assert response.status_code == 200
    assert not response.context.get("token_fail")
    assert "password1" in response.context["form"].fields
    response = visitor.post(
        set_password_url, {"password1": "Tandem-Sommer-2026", "password2": "Tandem-Sommer-2026"}
    )
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.check_password("Tandem-Sommer-2026")

    # The link was used up: a second visit fails.
    other = client.__class__()
    response = other.get(link, follow=True)
    assert response.context["token_fail"]

    # Following the link proved the address: the login needs no extra verification.
    assert EmailAddress.objects.get(user=invited).verified
    response = visitor.post(
        reverse("account_login"), {"login": "INA@example.org", "password": "Tandem-Sommer-2026"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    response = visitor.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["user"] == invited


def test_office_can_invite_a_colleague_to_its_own_office(
    client, django_capture_on_commit_callbacks
):
    ours = OrganisationFactory()
    _login(client, office_user(ours))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, _invite_data(kind="office"))
    assert response.status_code == 302
    role = Role.objects.get(user__email="ina@example.org")
    assert (role.kind, role.organisation) == ("office", ours)
    assert len(mail.outbox) == 1


def test_office_cannot_add_colleagues_to_another_organisations_office(client):
    ours, theirs = OrganisationFactory(), OrganisationFactory()
    _login(client, office_user(ours))
    before = (User.objects.count(), Role.objects.count())
    response = client.post(INVITE, _invite_data(kind="office", organisation=theirs.pk))
    assert response.status_code == 400
    errors = response.context["form"].errors
    # Another ministry is not even offered: its id is refused as a choice.
    with translation.override("de"):
        assert errors["organisation"] == [
            gettext("Choose one of the organisations your programme office acts for.")
        ]
    assert (User.objects.count(), Role.objects.count()) == before
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_office_of_several_organisations_must_choose_its_own(client):
    first, second = OrganisationFactory(), OrganisationFactory()
    office = office_user(first)
    Role.objects.create(user=office, kind="office", organisation=second)
    _login(client, office)
    response = client.post(INVITE, _invite_data(kind="office"))
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    response = client.post(INVITE, _invite_data(kind="office", organisation=second.pk))
    assert response.status_code == 302
    assert Role.objects.get(user__email="ina@example.org").organisation == second


@pytest.mark.parametrize(
    ("language", "required", "bad_email"),
    [
        ("de", "Füllen Sie „Name“ aus.", "Bitte gültige E-Mail-Adresse eingeben."),
        ("en", "Fill in “Name”.", "Enter a valid email address."),
    ],
)
def test_invite_form_errors_are_clear_translated_and_save_nothing(
    client, language, required, bad_email
):
    _login(client, office_user(), language=language)
    response = client.post(INVITE, {"email": "kein-at-zeichen", "language": "en"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    # Each required field says which it is (never Django's "This field is required.").
    assert errors["name"] == [required]
    assert len(errors["kind"]) == 1 and errors["kind"] != [required]
    assert "zwingend" not in str(errors) and "This field is required" not in str(errors)
    assert errors["email"][0].startswith(bad_email)
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    assert required in content
    assert not User.objects.filter(email="kein-at-zeichen").exists()

    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    response = client.post(INVITE, _invite_data(kind="partner"))
    assert response.status_code == 400
    message = {
        "de": "Wählen Sie die Organisation, für die diese Ansprechperson spricht.",
        "en": "Choose the organisation this contact speaks for.",
    }[language]
    assert response.context["form"].errors["organisation"] == [message]
    response = client.post(INVITE, {})
    assert response.status_code == 400
    assert not User.objects.filter(email="ina@example.org").exists()
    assert company.roles.count() == 0
    assert mail.outbox == []


def test_inviting_someone_with_an_account_keeps_their_password(
    client, django_capture_on_commit_callbacks
):
    person = UserFactory(email="ina@example.org")
    old_hash = person.password
    _login(client, office_user())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, _invite_data(kind="evaluator"), follow=True)
    assert response.status_code == 200
    assert "hat schon ein Konto" in response.content.decode()
    person.refresh_from_db()
    assert person.password == old_hash
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" not in mail.outbox[0].body


# language ------------------------------------------------------------------------------------


def test_german_is_the_default_language(client):
    response = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()
    assert response["Content-Language"] == "de"


def test_language_switch_sets_a_cookie_for_visitors(client):
    response = client.post("/i18n/language/", {"language": "en", "next": "/impressum/"})
    assert response.status_code == 302
    assert response.url == "/impressum/"
    assert response.cookies["django_language"].value == "en"
    response = client.get("/impressum/")
    assert '<html lang="en">' in response.content.decode()
    assert "Imprint" in response.content.decode()


def test_language_switch_stores_the_preference_of_a_signed_in_person(client):
    user = participant_user(language="de")
    client.force_login(user)
    response = client.post("/i18n/language/", {"language": "en", "next": "/home/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    # Without the cookie (another browser), the stored preference applies.
    client.cookies.pop("django_language")
    assert '<html lang="en">' in client.get("/home/").content.decode()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "/\\evil.example",
        "",
    ],
)
def test_language_switch_refuses_unsafe_next(client, target):
    response = client.post("/i18n/language/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert response.url == "/"


def test_language_switch_ignores_an_unknown_language(client):
    user = participant_user(language="de")
    client.force_login(user)
    response = client.post("/i18n/language/", {"language": "fr", "next": "/impressum/"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies
    user.refresh_from_db()
    assert user.language == "de"


def test_language_switch_only_answers_post(client):
    assert client.get("/i18n/language/?language=en").status_code == 405


# home page per role ------------------------------------------------------------------------


def _panel_keys(response):
    return {panel.key for panel in response.context["panels"]}


@pytest.mark.parametrize(
    ("make_user", "expected", "absent"),
    [
        (office_user, {"core.office", "core.mfa"}, set()),
        (evaluator_user, {"core.mfa"}, {"core.office"}),
        (participant_user, set(), {"core.office", "core.mfa"}),
        (partner_user, set(), {"core.office", "core.mfa"}),
    ],
)
def test_home_shows_each_role_its_panels_and_nothing_of_other_roles(
    client, make_user, expected, absent, django_assert_max_num_queries
):
    _login(client, make_user())
    with django_assert_max_num_queries(10):
        response = client.get("/home/")
    assert response.status_code == 200
    keys = _panel_keys(response)
    assert expected <= keys
    assert not keys & absent
    content = response.content.decode()
    if "core.office" in absent:
        assert reverse("invite") not in content
    if "core.mfa" in absent:
        assert reverse("mfa_activate_totp") not in content


def test_home_counts_the_offices_pending_invitations(client):
    ours = OrganisationFactory()
    office = office_user(ours)
    for _ in range(2):
        office_user(ours, password=False)
    office_user(OrganisationFactory(), password=False)  # another organisation's colleague
    _login(client, office)
    response = client.get("/home/")
    panel = next(p for p in response.context["panels"] if p.key == "core.office")
    assert panel.context == {"pending": 2}


def test_home_query_count_does_not_grow_with_the_data(client, django_assert_num_queries):
    ours = OrganisationFactory()
    office = office_user(ours)
    _login(client, office)
    client.get("/home/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cohorts import figures

    # The office's counts are kept under the change token of cohorts.figures: both visits
    # count afresh (the people written replace the token).
    figures.changed()
    with CaptureQueriesContext(connection) as few:
        client.get("/home/")
    for _ in range(20):
        office_user(ours, password=False)
    with django_assert_num_queries(len(few)):
        client.get("/home/")
    assert len(few) <= 10


def test_home_without_role_says_so(client):
    _login(client, UserFactory())
    response = client.get("/home/")
    assert response.status_code == 200
    assert "Sie haben noch keine Rolle in einem Programm." in response.content.decode()


def test_home_anonymously_redirects_to_login(client):
    response = client.get("/home/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# barrier report ----------------------------------------------------------------------------


def test_barrier_report_is_stored_and_emailed(client, settings, django_capture_on_commit_callbacks):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/barrierefreiheit/",
            {
                "page": "/home/",
                "description": "Der Fokus ist nicht sichtbar.",
                "email": "rita@example.org",
            },
        )
    assert response.status_code == 302
    report = BarrierReport.objects.get()
    assert (report.page, report.email, report.language) == ("/home/", "rita@example.org", "de")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a11y@example.org"]
    assert "Der Fokus ist nicht sichtbar." in mail.outbox[0].body
    response = client.get(response.url)
    assert "Vielen Dank" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"page": "/home/", "description": ""},
        {"page": "/home/", "description": "x", "email": "keine-adresse"},
        {"page": "x" * 301, "description": "x"},
    ],
)
def test_invalid_barrier_report_shows_errors_and_stores_nothing(
    client, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/barrierefreiheit/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert "Fehler" in response.content.decode()
    assert not BarrierReport.objects.exists()
    assert mail.outbox == []


@pytest.fixture
def fresh_barrier_limit():
    from django.core.cache import cache

    cache.delete("pioneer:ratelimit:barrier_report:127.0.0.1")
    yield
    cache.delete("pioneer:ratelimit:barrier_report:127.0.0.1")


def test_accessibility_statement_names_the_contact(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@example.org"
    response = client.get("/barrierefreiheit/")
    assert 'href="mailto:a11y@example.org"' in response.content.decode()


def test_barrier_reports_are_rate_limited(
    client, fresh_barrier_limit, django_capture_on_commit_callbacks
):
    from pioneer.views.pages import BARRIER_REPORTS_PER_HOUR

    data = {"page": "/", "description": "Zu wenig Kontrast."}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(BARRIER_REPORTS_PER_HOUR):
            assert client.post("/barrierefreiheit/", data).status_code == 302
        # Invalid posts send nothing and do not count; the next valid one is refused.
        assert client.post("/barrierefreiheit/", {}).status_code == 400
        response = client.post("/barrierefreiheit/", data)
    assert response.status_code == 429
    assert "Zu viele Meldungen" in response.content.decode()
    assert BarrierReport.objects.count() == BARRIER_REPORTS_PER_HOUR
    assert len(mail.outbox) == BARRIER_REPORTS_PER_HOUR


# allauth: e-mails in the recipient's language, rate limits ------------------------------


def test_password_reset_email_is_in_the_recipients_language(
    client, django_capture_on_commit_callbacks
):
    user = participant_user(email="reader@example.org", language="en")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.cookies["django_language"] = "de"  # the page is German ...
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "reader@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]  # ... the e-mail is in the reader's English
    assert message.to == ["reader@example.org"]
    assert "Password Reset" in message.subject
    assert "/accounts/password/reset/key/" in message.body


def test_failed_logins_are_rate_limited_per_account(client, settings):
    # allauth's limits need a real cache: local memory or Redis, never the dummy.
    assert "DummyCache" not in settings.CACHES["default"]["BACKEND"]
    user = participant_user(email="target@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "wrong-guess"}
        )
        assert response.status_code == 200
    # The right password no longer helps until the limit expires.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PW})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
    client, django_capture_on_commit_callbacks
):
    participant_user(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": "known@example.org"})
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert [m.to for m in mail.outbox] == [["known@example.org"]]


def test_open_sign_up_is_closed(client):
    before = User.objects.count()
    client.post(
        reverse("account_signup"),
        {
            "email": "walk-in@example.org",
            "password1": "Tandem-2026-x",
            "password2": "Tandem-2026-x",
        },
    )
    assert User.objects.count() == before


def test_login_with_an_unverified_address_asks_for_verification_in_the_readers_language(
    client, django_capture_on_commit_callbacks
):
    user = participant_user(email="fresh@example.org", language="en")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.cookies["django_language"] = "de"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": user.email, "password": PW})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["fresh@example.org"]
    assert "Please Confirm Your Email Address" in mail.outbox[0].subject
