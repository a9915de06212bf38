"""A partner's list of their people's event registrations, kept rendered a page at a time
(pioneer.fragments.list_page_html, under cohorts.figures' change token, which events and
their registrations now replace too, and the partner's organisations): the pages as
rendered without keeping them (the reference), for any page number and in German and
English, with names that need escaping; and a change of what they show on the next
visit."""

import pytest
from django.test import Client
from django.utils.html import escape

from companion import views
from companion.models import EventRegistration
from pioneer import fragments
from pioneer.models import Organisation
from tests.factories.cohorts import CohortFactory, external_participation
from tests.factories.companion import EventFactory, register
from tests.factories.core import OrganisationFactory, UserFactory, partner_user
from tests.pages import page_html, unkept_html

pytestmark = pytest.mark.django_db

MARKUP = "<&\"'"
PATH = "/events/partner/"
ASKED = ["", "?page=2", "?page=3", "?page=0", "?page=-1", "?page=99", "?page=x", "?page=2&a=b"]


@pytest.fixture
def world(monkeypatch):
    """Two companies' people registered for events of one cohort (five of the first's)."""
    monkeypatch.setattr(views, "PARTNER_PAGE_SIZE", 2)
    cohort = CohortFactory(title=f"Durchgang {MARKUP}")
    first = OrganisationFactory(kind=Organisation.Kind.COMPANY, name=f"Erste {MARKUP}")
    second = OrganisationFactory(kind=Organisation.Kind.COMPANY, name="Zweite AG")
    events = [EventFactory(cohort=cohort, title=f"Termin {n} {MARKUP}") for n in range(3)]
    ours = [
        external_participation(cohort, organisation=first, user=UserFactory(name=f"P{n} {MARKUP}"))
        for n in range(2)
    ]
    theirs = external_participation(cohort, organisation=second, user=UserFactory(name="Fremd"))
    made = [register(event, person) for event in events[:2] for person in ours]
    made.append(register(events[2], ours[0]))
    register(events[0], theirs)
    return {
        "first": partner_user(first),
        "second": partner_user(second),
        "events": events,
        "ours": ours,
        "made": made,
    }


def _page(client, path=PATH, language="de"):
    return page_html(client, path, language)


_unkept = unkept_html


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_kept_pages_are_the_pages_rendered(client, world, monkeypatch, language):
    client.force_login(world["first"])
    paths = [PATH + asked for asked in ASKED]
    with monkeypatch.context() as patch:
        patch.setattr(fragments, "cached_html", _unkept)
        expected = {path: _page(client, path, language) for path in paths}
    for _visit in range(2):  # rendered and kept, then as kept
        for path in paths:
            assert _page(client, path, language) == expected[path], path
    shown = "".join(expected.values())
    assert f"Termin 0 {escape(MARKUP)}" in shown and f"P1 {escape(MARKUP)}" in shown
    assert MARKUP not in shown and "Fremd" not in shown
    assert "a=b" in expected[PATH + "?page=2&a=b"]


def test_the_page_shows_each_change_on_the_next_visit(client, world):
    client.force_login(world["first"])
    assert "Termin 0" in _page(client)
    event = world["events"][0]
    event.title = "Umbenannt <i>"
    event.save()
    assert "Umbenannt &lt;i&gt;" in _page(client)
    registration = EventRegistration.objects.get(pk=world["made"][0].pk)
    before = _page(client)
    registration.attendance = EventRegistration.Attendance.NO_SHOW
    registration.save()
    assert _page(client) != before
    registration.delete()
    assert _page(client) != before
    late = EventFactory(cohort=world["events"][0].cohort, title="Neu")
    assert "Neu" not in _page(client, PATH + "?page=3")
    register(late, world["ours"][1])
    assert "Neu" in "".join(_page(client, PATH + f"?page={n}") for n in (1, 2, 3))


def test_contacts_of_other_organisations_never_see_each_others_kept_pages(world):
    first, second = Client(), Client()
    first.force_login(world["first"])
    second.force_login(world["second"])
    ours, theirs = _page(first), _page(second)  # nothing written between
    assert "Fremd" in theirs and "Fremd" not in ours
