"""The public registration of interest: bad input changes nothing; double opt-in."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.models import Cohort, InterestRegistration
from pioneer.models import Notification
from tests.factories.cohorts import CohortFactory
from tests.factories.core import OrganisationFactory, office_user

pytestmark = pytest.mark.django_db

URL = "/interest/"


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (the e-mails) of the block."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def cohort():
    return CohortFactory(
        state=Cohort.State.OPEN,
        title="3. Durchgang 2027",
        start_date=date.today() + timedelta(days=200),
        end_date=date.today() + timedelta(days=380),
        interest_opens=date.today() - timedelta(days=1),
        interest_closes=date.today() + timedelta(days=60),
    )


def form_data(cohort, /, **overrides):
    data = {
        "cohort": cohort.pk,
        "organisation_name": "Muster Digital GmbH",
        "organisation_kind": "company",
        "parent_ministry": "",
        "street": "Hauptstraße 1",
        "postcode": "14467",
        "city": "Potsdam",
        "contact_name": "Mia Muster",
        "contact_email": "mia@muster.example",
        "contact_phone": "0331 123456",
        "places_send": "1",
        "places_host": "1",
        "topics_offered": "Agile Methoden",
        "topics_sought": "Verwaltungsverfahren",
        "preferred_timing": "ab Frühjahr",
        "message": "Wir freuen uns.",
        "privacy": "on",
        "homepage": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _link_from(message):
    return re.search(r"/interest/confirm/[\w-]+/", message.body).group(0)


def test_form_shows_open_cohorts_only(client, cohort):
    CohortFactory(state=Cohort.State.RUNNING, title="Laufender Durchgang")
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "3. Durchgang 2027" in content
    assert "Laufender Durchgang" not in content
    assert 'class="pio-hp"' in content


def test_form_without_open_cohort_says_so(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["cohorts"]) == []
    assert b'name="organisation_name"' not in response.content


def test_valid_registration_then_confirm_in_visitors_language(client, cohort, mails):
    office = office_user(org=cohort.programme.organisation)
    client.cookies["django_language"] = "en"
    with mails(execute=True):
        response = client.post(URL, form_data(cohort), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response.url == reverse("cohorts:interest_sent")
    registration = InterestRegistration.objects.get()
    assert registration.state == "unconfirmed"
    assert registration.language == "en"
    assert registration.privacy_version == "2026-11"
    assert registration.places_send == 1
    sent = client.get(response.url)
    assert b"mia@muster.example" in sent.content
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Please confirm your registration of interest" in message.subject
    link = _link_from(message)
    # A visit (or a mail scanner) does not confirm; the button does.
    client.cookies["django_language"] = "de"
    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm registration" in page.content  # the visitor's language, not the cookie's
    assert InterestRegistration.objects.get().state == "unconfirmed"
    with mails(execute=True):
        done = client.post(link)
    assert done.status_code == 200
    assert b"your registration is confirmed" in done.content
    assert InterestRegistration.objects.get().state == "confirmed"
    assert Notification.objects.filter(recipient=office).count() == 1
    # The same link again: a clear message, nothing changes.
    ledger = Notification.objects.count()
    again = client.post(link)
    assert b"This link has been used already" in again.content
    assert client.get(link).status_code == 200
    assert Notification.objects.count() == ledger


def test_expired_link_says_so_and_keeps_nothing(client, cohort, mails):
    with mails(execute=True):
        client.post(URL, form_data(cohort))
    link = _link_from(mail.outbox[0])
    InterestRegistration.objects.update(confirm_expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(link)
    assert response.status_code == 410
    assert InterestRegistration.objects.get().state == "expired"
    assert InterestRegistration.objects.get().confirmed_at is None
    assert client.get(link).status_code == 410


def test_unknown_link_is_404(client, cohort):
    response = client.post("/interest/confirm/not-a-real-token/")
    assert response.status_code == 404
    assert client.get("/interest/confirm/not-a-real-token/").status_code == 404


BAD_FIELDS = [
    ("cohort", ""),
    ("cohort", "999999"),
    ("organisation_name", ""),
    ("organisation_kind", ""),
    ("organisation_kind", "castle"),
    ("street", ""),
    ("postcode", ""),
    ("postcode", "1446"),
    ("postcode", "ABCDE"),
    ("city", ""),
    ("contact_name", ""),
    ("contact_email", ""),
    ("contact_email", "not-an-address"),
    ("contact_phone", "call me"),
    ("places_send", ""),
    ("places_send", "-1"),
    ("places_send", "many"),
    ("places_host", "51"),
    ("privacy", None),
    ("organisation_name", "x" * 201),
    ("message", "x" * 4001),
]


@pytest.mark.parametrize("field,value", BAD_FIELDS)
def test_each_bad_field_shows_a_message_and_saves_nothing(client, cohort, field, value):
    response = client.post(URL, form_data(cohort, **{field: value}))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    content = response.content.decode()
    assert "pio-error-summary" in content  # the error summary at the top
    assert form.errors[field][0] in content.replace("&#x27;", "'").replace("&quot;", '"')
    assert not InterestRegistration.objects.exists()
    assert mail.outbox == []


def test_error_messages_are_translated(client, cohort):
    response = client.post(URL, form_data(cohort, contact_email="nope"), HTTP_ACCEPT_LANGUAGE="de")
    assert "E-Mail-Adresse" in response.context["form"].errors["contact_email"][0]


def test_an_authority_needs_its_parent_ministry(client, cohort):
    response = client.post(URL, form_data(cohort, organisation_kind="authority"))
    assert response.status_code == 400
    assert "parent_ministry" in response.context["form"].errors
    assert not InterestRegistration.objects.exists()
    ministry = OrganisationFactory(name="Ministerium der Finanzen")
    response = client.post(
        URL,
        form_data(
            cohort,
            organisation_name="Landesamt für Steuern",
            organisation_kind="authority",
            parent_ministry=ministry.pk,
        ),
    )
    assert response.status_code == 302
    assert InterestRegistration.objects.get().parent_ministry == ministry


def test_neither_sending_nor_hosting_is_refused(client, cohort):
    response = client.post(URL, form_data(cohort, places_send="0", places_host="0"))
    assert response.status_code == 400
    assert "places_send" in response.context["form"].errors
    assert not InterestRegistration.objects.exists()


def test_honeypot_keeps_nothing_and_sends_nothing(client, cohort):
    response = client.post(URL, form_data(cohort, homepage="http://spam.example"))
    assert response.status_code == 302  # the bot is not told
    assert not InterestRegistration.objects.exists()
    assert mail.outbox == []


def test_rate_limit_per_address(client, cohort):
    for n in range(services.RATE_LIMIT):
        response = client.post(URL, form_data(cohort, organisation_name=f"Firma {n}"))
        assert response.status_code == 302
    response = client.post(URL, form_data(cohort, organisation_name="Firma X"))
    assert response.status_code == 429
    assert b"Too many registrations" in response.content or "Zu viele" in response.content.decode()
    assert InterestRegistration.objects.count() == services.RATE_LIMIT


def test_rate_limit_per_ip_with_other_addresses(client, cohort):
    for n in range(services.RATE_LIMIT):
        client.post(
            URL,
            form_data(cohort, organisation_name=f"Firma {n}", contact_email=f"p{n}@x.example"),
        )
    response = client.post(
        URL, form_data(cohort, organisation_name="Firma Z", contact_email="z@x.example")
    )
    assert response.status_code == 429
    assert InterestRegistration.objects.count() == services.RATE_LIMIT


def test_duplicate_is_recognised_and_not_saved(client, cohort, mails):
    with mails(execute=True):
        client.post(URL, form_data(cohort))
        response = client.post(
            URL,
            form_data(cohort, organisation_name="muster digital GMBH", contact_email="b@m.example"),
        )
    assert response.status_code == 409
    assert b"already registered" in response.content or "bereits" in response.content.decode()
    assert InterestRegistration.objects.count() == 1
    assert len(mail.outbox) == 1


def test_closed_cohort_cannot_be_chosen(client, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(state=Cohort.State.MATCHING)
    response = client.post(URL, form_data(cohort))
    assert response.status_code == 400
    assert not InterestRegistration.objects.exists()


def test_landing_page_shows_open_cohorts(client, cohort):
    response = client.get("/")
    assert response.status_code == 200
    assert f"/interest/?cohort={cohort.pk}".encode() in response.content
