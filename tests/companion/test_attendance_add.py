"""The attendance list's "register someone of the cohort": a short list of the people not
registered is offered whole; past ADD_CHOICES a search finds the person, and anyone of
the cohort is still accepted, whether the page offered them or not."""

import pytest
from django.urls import reverse

from companion.models import EventRegistration
from companion.views import ADD_CHOICES
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import EventFactory, participant_in
from tests.factories.core import office_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(cohort=CohortFactory(programme=ProgrammeFactory()))


def _offered(response):
    """The people (pks) the registration form's choice offers."""
    form = response.context["add_form"]
    return [value for value, _label in form.fields["participation"].choices if value != ""]


def _people(event, count, prefix="Person"):
    return [
        participant_in(event.cohort, name=f"{prefix} {index:03d}", email=f"{prefix}{index}@x.de")
        for index in range(count)
    ]


def test_a_short_list_is_offered_whole_by_name(client, event):
    people = _people(event, ADD_CHOICES)
    client.force_login(office_user(event.cohort.programme.organisation))
    response = client.get(reverse("companion:attendance", kwargs={"pk": event.pk}))
    assert _offered(response) == [p.pk for p in people]
    assert not response.context["add_more"]
    assert 'role="search"' not in response.content.decode()


def test_past_the_limit_a_search_finds_the_person(client, event):
    _people(event, ADD_CHOICES + 1)
    wanted = participant_in(event.cohort, name="Zora Zimmermann", email="zora@x.de")
    client.force_login(office_user(event.cohort.programme.organisation))
    url = reverse("companion:attendance", kwargs={"pk": event.pk})
    response = client.get(url)
    html = response.content.decode()
    assert response.context["add_more"]
    assert _offered(response) == []
    assert 'role="search"' in html and 'name="q"' in html
    assert "Zora" not in html

    found = client.get(url, {"q": "zimmer"})
    assert _offered(found) == [wanted.pk]
    assert "Zora Zimmermann" in found.content.decode()

    many = client.get(url, {"q": "person"})
    assert len(_offered(many)) == ADD_CHOICES and many.context["add_more"]

    nobody = client.get(url, {"q": "no such person"})
    assert _offered(nobody) == [] and not nobody.context["add_found"]


def test_anyone_of_the_cohort_is_accepted_offered_or_not(client, event):
    people = _people(event, ADD_CHOICES + 5)
    client.force_login(office_user(event.cohort.programme.organisation))
    response = client.post(
        reverse("companion:attendance_add", kwargs={"pk": event.pk}),
        {"participation": people[-1].pk},
    )
    assert response.status_code == 302
    assert EventRegistration.objects.filter(event=event, participation=people[-1]).exists()
    # Someone of another cohort is refused, and the form shows why.
    other = participant_in(CohortFactory())
    refused = client.post(
        reverse("companion:attendance_add", kwargs={"pk": event.pk}), {"participation": other.pk}
    )
    assert refused.status_code == 400
    assert refused.context["add_form"].errors
    assert 'name="participation"' in refused.content.decode()
