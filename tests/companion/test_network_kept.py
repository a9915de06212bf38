"""The network's searched page read by SQL compiled once per process (the terms given
as parameters, pioneer.compiled) finds what `directory_for`'s icontains found: the same
entries in the same order for each search, term and reader, the page's limit kept."""

import pytest

from cohorts.models import Cohort
from companion import network
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import participant_in

pytestmark = pytest.mark.django_db

TERMS = [
    "digital",
    "DIGITAL",
    "Digitalisierung",
    "förder",
    "FÖRDER",
    "50%",
    "%",
    "_",
    "a_b",
    "\\",
    "x\\y",
    "'",
    '"',
    "<b>",
    "Anna",
    "ministerium",
    "nothing at all",
    " ",
    "ß",
]


@pytest.fixture
def readers():
    programme = ProgrammeFactory()
    running = CohortFactory(programme=programme)
    pilot = CohortFactory(programme=programme, state=Cohort.State.CLOSED)
    texts = [
        ("Anna Albrecht", "Ministerium <b>A</b>", "Digitalisierung, 50% Förderung", "a_b"),
        ("Berta Bauer", "Landkreis", "digitale Verwaltung", "x\\y, Straße"),
        ("Carl 'Cäsar'", 'Stadt "C"', "Förderverfahren", ""),
        ("", "Amt_B", "Beschaffung", "Vergabe 100%"),
    ]
    people = []
    for n, (name, organisation, topics, help_with) in enumerate(texts * 2):
        person = participant_in(running if n % 2 else pilot, name=name)
        network.network_join(
            user=person.user,
            programme=programme,
            organisation=f"{organisation} {n}",
            topics=topics,
            can_help_with=help_with,
            contact=person.user.email,
        )
        people.append(person)
    stranger = participant_in(CohortFactory(), name="Otto Other")
    network.network_join(
        user=stranger.user,
        programme=stranger.cohort.programme,
        organisation="Ministerium",
        topics="Digitalisierung",
        can_help_with="",
        contact=stranger.user.email,
    )
    return [people[0].user, people[3].user, stranger.user]


def _entries(found):
    return [(e.pk, e.user.name, e.user.email, e.programme.name) for e in found]


@pytest.mark.parametrize("limit", [3, 51])
def test_the_searched_page_finds_what_icontains_found(readers, limit):
    for user in readers:
        for term in TERMS:
            for q, topic in ((term, ""), ("", term), (term, "digital"), ("a", term)):
                expected = list(network.directory_for(user, q=q, topic=topic)[:limit])
                found = network.directory_page(user, q=q, topic=topic, limit=limit)
                assert _entries(found) == _entries(expected), (user, q, topic)
    anna = readers[0]
    assert len(network.directory_page(anna, q="", topic="Digital", limit=51)) == 4
    assert network.directory_page(anna, q="nothing at all", topic="", limit=51) == []
