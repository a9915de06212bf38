"""The companion pages in German and in English (the demo world): no interface text of
the other language on the office's planner, event, attendance and form pages, nor on
a participant's and a partner contact's pages."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cohorts.models import Cohort
from companion.models import Certificate, Event, Series
from pioneer.models import User
from tests.test_languages import _data_texts, _interface_text, _other_language_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def _pages():
    workshop = Event.objects.get(
        title="Design-Thinking-Workshop", cohort__programme__slug="pioneer4bb"
    )
    evening = Event.objects.get(
        title="Vernetzungsabend mit Alumni", cohort__programme__slug="pioneer4bb"
    )
    cohort = workshop.cohort_id
    pilot = Cohort.objects.get(programme__slug="pioneer4bb", slug="pilot")
    certificate = Certificate.objects.get(participation__user__email="paul@mluk.example")
    return {
        "office@mluk.example": [
            reverse("companion:planner", args=[cohort]),
            reverse("companion:planner", args=[cohort]) + "?view=month",
            reverse("companion:event_create", args=[cohort]),
            reverse("companion:series_create", args=[cohort]),
            reverse("companion:event_detail", args=[workshop.pk]),
            reverse("companion:event_update", args=[evening.pk]),
            reverse("companion:event_cancel", args=[evening.pk]),
            reverse("companion:attendance", args=[workshop.pk]),
            reverse("companion:attendance", args=[evening.pk]),
            reverse("companion:certificates", args=[cohort]),
            reverse("companion:certificates", args=[pilot.pk]),
        ],
        "anna@mluk.example": [
            reverse("companion:my_events"),
            reverse("companion:event_detail", args=[evening.pk]),
            reverse("companion:event_detail", args=[workshop.pk]),
            reverse("companion:network"),
            reverse("companion:network_join"),
            reverse("companion:network_leave"),
            reverse("companion:my_certificates"),
        ],
        "paul@mluk.example": [
            reverse("companion:my_certificates"),
            reverse("companion:certificate_verify") + f"?code={certificate.code}",
        ],
        "office@mik.example": [
            reverse("companion:series_detail", args=[Series.objects.get().pk]),
        ],
        "contact@partner.example": [reverse("companion:partner_registrations")],
    }


@pytest.mark.parametrize("language", ["en", "de"])
def test_companion_pages_speak_one_language(client, demo, language):
    data = _data_texts()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    problems = []
    for email, urls in _pages().items():
        client.force_login(User.objects.get(email=email))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = _interface_text(response.content.decode(), language, data)
            problems += [f"{url}: {found}" for found in _other_language_words(text, language)]
    assert problems == []
