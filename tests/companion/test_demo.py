"""The companion programme in the demo world: what Anna, the office and the learning
journey show after `seed_demo`, and that a second run changes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from companion.models import Event, EventRegistration, Series
from pioneer.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_the_running_cohorts_programme(demo):
    events = Event.objects.filter(cohort__programme__slug="pioneer4bb")
    titles = set(events.values_list("title", flat=True))
    assert {"Auftaktveranstaltung", "Design-Thinking-Workshop", "Kollegiale Fallberatung"} <= titles
    workshop = events.get(title="Design-Thinking-Workshop")
    attendance = set(workshop.registrations.values_list("attendance", flat=True))
    assert attendance == {"attended", "no_show"}
    assert workshop.materials == ["design-thinking-workshop"]
    evening = events.get(title="Vernetzungsabend mit Alumni")
    assert evening.registrations.filter(state="registered").count() == evening.capacity
    assert evening.registrations.filter(state="waiting").exists()
    series = Series.objects.get(cohort__slug="lernreise")
    assert series.events.filter(kind=Event.Kind.STATION).count() == 3


def test_annas_workshop_page_links_the_design_thinking_blueprint(client, demo):
    workshop = Event.objects.get(
        cohort__programme__slug="pioneer4bb", title="Design-Thinking-Workshop"
    )
    client.force_login(User.objects.get(email="anna@mluk.example"))
    page = client.get(reverse("companion:event_detail", kwargs={"pk": workshop.pk}))
    link = reverse("blueprints:detail", kwargs={"slug": "design-thinking-workshop"})
    assert f'href="{link}"' in page.content.decode()


def test_a_second_run_changes_nothing(demo):
    before = (Event.objects.count(), EventRegistration.objects.count(), Series.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Event.objects.count(), EventRegistration.objects.count(), Series.objects.count()) == (
        before
    )


def test_anna_sees_her_next_events_and_registers(client, demo):
    anna = User.objects.get(email="anna@mluk.example")
    client.cookies["django_language"] = "en"
    client.force_login(anna)
    home = client.get(reverse("home")).content.decode()
    assert "Your next events" in home and "Kollegiale Fallberatung" in home
    consultation = Event.objects.get(
        title="Kollegiale Fallberatung", cohort__programme__slug="pioneer4bb"
    )
    response = client.post(
        reverse("companion:event_register", kwargs={"pk": consultation.pk}), follow=True
    )
    assert "You are registered." in response.content.decode()
    evening = Event.objects.get(
        title="Vernetzungsabend mit Alumni", cohort__programme__slug="pioneer4bb"
    )
    response = client.post(
        reverse("companion:event_register", kwargs={"pk": evening.pk}), follow=True
    )
    assert "on the waiting list" in response.content.decode()


def test_the_closed_pilot_has_certificates_and_the_network_two_entries(client, demo):
    from companion.models import Certificate, NetworkEntry

    pilot = Certificate.objects.filter(participation__cohort__slug="pilot")
    assert set(pilot.values_list("participation__user__email", flat=True)) == {
        "paul@mluk.example",
        "pia@partner.example",
        "ida@gemeinwohl.example",
    }
    ida = pilot.get(participation__user__email="ida@gemeinwohl.example")
    assert ida.events_count == 1  # came to the kick-off, missed the closing
    assert set(NetworkEntry.objects.values_list("user__email", flat=True)) == {
        "anna@mluk.example",
        "paul@mluk.example",
    }
    before = (Certificate.objects.count(), NetworkEntry.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Certificate.objects.count(), NetworkEntry.objects.count()) == before
    client.force_login(User.objects.get(email="anna@mluk.example"))
    body = client.get(reverse("companion:network")).content.decode()
    assert "Paul" in body
