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
    evening = events.get(title="Vernetzungsabend mit Alumni")
    assert evening.registrations.filter(state="registered").count() == evening.capacity
    assert evening.registrations.filter(state="waiting").exists()
    series = Series.objects.get(cohort__slug="lernreise")
    assert series.events.filter(kind=Event.Kind.STATION).count() == 3


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
    consultation = Event.objects.get(title="Kollegiale Fallberatung")
    response = client.post(
        reverse("companion:event_register", kwargs={"pk": consultation.pk}), follow=True
    )
    assert "You are registered." in response.content.decode()
    evening = Event.objects.get(title="Vernetzungsabend mit Alumni")
    response = client.post(
        reverse("companion:event_register", kwargs={"pk": evening.pk}), follow=True
    )
    assert "on the waiting list" in response.content.decode()
