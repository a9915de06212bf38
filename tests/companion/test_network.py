"""The network of pioneers: opt-in, seen only by people who joined themselves (the
cohort's participants and the alumni of earlier cohorts of the same programme), never
by the programme office, partner contacts or evaluators; leaving deletes the entry."""

import pytest
from django.urls import reverse
from django.utils import translation

from cohorts.models import Cohort, Participation
from companion import network
from companion.models import NetworkEntry
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import participant_in
from tests.factories.core import evaluator_user, office_user, partner_user
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


def _join(participation, **fields):
    values = {
        "organisation": participation.organisation.name,
        "topics": "digitalisation, procurement",
        "can_help_with": "Förderverfahren",
        "contact": participation.user.email,
        **fields,
    }
    return network.network_join(
        user=participation.user, programme=participation.cohort.programme, **values
    )


@pytest.fixture
def world():
    programme = ProgrammeFactory()
    pilot = CohortFactory(programme=programme, state=Cohort.State.CLOSED)
    running = CohortFactory(programme=programme)
    anna = participant_in(running, name="Anna Albrecht")
    quiet = participant_in(running, name="Quentin Quiet")
    alumna = participant_in(pilot, name="Alma Alumna")
    Participation.objects.filter(pk=alumna.pk).update(state=Participation.State.COMPLETED)
    other_programme = participant_in(CohortFactory(), name="Otto Other")
    for person in (anna, alumna, other_programme):
        _join(person)
    return {
        "programme": programme,
        "running": running,
        "anna": anna,
        "quiet": quiet,
        "alumna": alumna,
        "other": other_programme,
        "office": office_user(programme.organisation),
    }


def test_shows_only_those_who_opted_in_and_to_them_only(client, world):
    client.force_login(world["anna"].user)
    body = client.get(reverse("companion:network")).content.decode()
    assert "Anna Albrecht" in body and "Alma Alumna" in body  # the alumna of the pilot
    assert "Quentin Quiet" not in body  # did not opt in
    assert "Otto Other" not in body  # another programme's network
    # Someone who did not join sees nobody, only the offer to join.
    client.force_login(world["quiet"].user)
    body = client.get(reverse("companion:network")).content.decode()
    assert "Anna Albrecht" not in body and "Alma Alumna" not in body
    assert reverse("companion:network_join") in body


@pytest.mark.parametrize(
    "name", ["companion:network", "companion:network_join", "companion:network_leave"]
)
def test_office_partners_and_evaluators_cannot_see_it(world, name):
    url = reverse(name)
    assert_access(
        url,
        owner=world["anna"].user,
        stranger=None,
        foreign_partner=partner_user(),
        wrong_role=world["office"],
        foreign_partner_status=403,
    )
    assert_access(url, owner=world["anna"].user, wrong_role=evaluator_user(), check_anonymous=False)


def test_leaving_deletes_the_entry_at_once(client, world):
    client.force_login(world["alumna"].user)
    assert client.get(reverse("companion:network_leave")).status_code == 200
    response = client.post(reverse("companion:network_leave"))
    assert response.status_code == 302
    assert not NetworkEntry.objects.filter(user=world["alumna"].user).exists()
    client.force_login(world["anna"].user)
    assert "Alma Alumna" not in client.get(reverse("companion:network")).content.decode()


def test_joining_and_changing_ones_entry(client, world):
    client.force_login(world["quiet"].user)
    url = reverse("companion:network_join")
    assert client.get(url).status_code == 200
    data = {
        "programme": world["programme"].pk,
        "organisation": "MLUK",
        "topics": "Agile, agile , Open Data",
        "can_help_with": "Open-Data-Portale",
        "contact": "quentin@mluk.example",
    }
    assert client.post(url, data).status_code == 302
    entry = NetworkEntry.objects.get(user=world["quiet"].user)
    assert entry.topic_list == ["Agile", "agile", "Open Data"]
    assert client.post(url, {**data, "contact": "0331 123"}).status_code == 302
    assert NetworkEntry.objects.filter(user=world["quiet"].user).count() == 1
    # Another programme cannot be chosen; an empty contact is refused; nothing changes.
    with translation.override("en"):
        bad = client.post(url, {**data, "programme": world["other"].cohort.programme.pk})
        assert bad.status_code == 400
        empty = client.post(url, {**data, "contact": ""})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.content.decode()
    assert NetworkEntry.objects.get(user=world["quiet"].user).contact == "0331 123"


def test_a_withdrawn_person_cannot_read_or_join(client, world):
    Participation.objects.filter(pk=world["anna"].pk).update(
        state=Participation.State.WITHDRAWN, withdrawn_reason="Umzug"
    )
    client.force_login(world["anna"].user)
    assert client.get(reverse("companion:network")).status_code == 403
    assert list(network.directory_for(world["anna"].user)) == []


def test_search_and_topic_filter(client, world):
    _join(world["quiet"], topics="Open Data", can_help_with="Portale")
    client.force_login(world["anna"].user)
    url = reverse("companion:network")
    body = client.get(url, {"topic": "Open Data"}).content.decode()
    assert "Quentin Quiet" in body and "Alma Alumna" not in body
    body = client.get(url, {"q": "alma"}).content.decode()
    assert "Alma Alumna" in body and "Quentin Quiet" not in body


def test_the_directory_keeps_its_queries_flat(client, world):
    client.force_login(world["anna"].user)

    def members(count):
        for _n in range(count):
            _join(participant_in(world["running"]))

    assert_flat_queries(client, reverse("companion:network"), members)
