"""A registration's page keeps its facts (templates/cohorts/_registration_facts.html) and,
for the office, its notes written under the change token of cohorts.figures
(cohorts.views.registrations._kept_parts): each page is the page rendered anew, for the
office and the partner, in both languages, and a write of anything the parts show shows
on the next visit."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cohorts.models import InterestRegistration, RegistrationNote
from cohorts.views import registrations
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user, partner_of, partner_user
from tests.pages import without_csrf

pytestmark = pytest.mark.django_db

MARKED = 'O\'Brien <&> "Zoë"'
ESCAPED = "O&#x27;Brien &lt;&amp;&gt; &quot;Zoë&quot;"


@pytest.fixture
def world():
    ministry = OrganisationFactory(name=f"Ministerium {MARKED}")
    office = office_user(org=ministry, name=MARKED)
    programme = ProgrammeFactory(organisation=ministry, name=f"Programm {MARKED}")
    cohort = CohortFactory(programme=programme, title=f"Durchgang {MARKED}")
    company = partner_of(ministry, name=f"Firma {MARKED}", short_name="")
    partner = partner_user(company, name=f"Partner {MARKED}")
    parent = OrganisationFactory(name=f"Oberste Behörde {MARKED}", short_name="", kind="ministry")
    now = timezone.now()
    shown = {}
    for state in ("confirmed", "unconfirmed", "accepted", "declined"):
        decided = state in ("accepted", "declined")
        shown[state] = InterestRegistrationFactory(
            cohort=cohort,
            state=state,
            organisation_name=f"{state} {MARKED}",
            contact_name=MARKED,
            contact_phone="+49 <1>",
            organisation_kind="authority",
            parent_ministry=parent,
            topics_offered=f"Eins\n{MARKED}",
            message=f"Zeile\r\n{MARKED}",
            preferred_timing=MARKED,
            confirmed_at=now - timedelta(days=1) if state != "unconfirmed" else None,
            decided_by=office if decided else None,
            decided_at=now if decided else None,
            organisation=company if state == "accepted" else None,
            decline_reason=f"Weil {MARKED}" if state == "declined" else "",
        )
        RegistrationNote.objects.create(registration=shown[state], author=office, text=MARKED)
    return {"office": office, "partner": partner, "shown": shown, "cohort": cohort}


def _pages(world):
    """(role, language, url) of every page the parts are kept for."""
    pages = [
        ("office", language, f"/registrations/{registration.pk}/")
        for registration in world["shown"].values()
        for language in ("de", "en")
    ]
    accepted = world["shown"]["accepted"].pk
    pages += [("partner", language, f"/registrations/{accepted}/") for language in ("de", "en")]
    return pages


def _visit(world, pages):
    clients = {}
    found = {}
    for role, language, url in pages:
        client = clients.get(role)
        if client is None:
            client = clients[role] = Client()
            client.force_login(world[role])
        client.cookies["django_language"] = language
        response = client.get(url)
        assert response.status_code == 200
        found[role, language, url] = without_csrf(response.content.decode())
    return found


def _anew(monkeypatch):
    """The parts rendered on every visit (as the template did), not kept."""
    monkeypatch.setattr(
        registrations.fragments, "cached", lambda kind, facts, compute, *args, **kw: compute()
    )


def test_the_kept_parts_are_the_parts_rendered_anew(world, monkeypatch):
    pages = _pages(world)
    first = _visit(world, pages)
    assert _visit(world, pages) == first  # the second from the cache
    _anew(monkeypatch)
    assert _visit(world, pages) == first
    for (role, _language, _url), html in first.items():
        assert f"Oberste Behörde {ESCAPED}" in html
        assert (f"Durchgang {ESCAPED}" in html) and (f"Programm {ESCAPED}" in html)
        # Only the office reads the notes.
        assert (f"<strong>{ESCAPED}, " in html) == (role == "office")


def _change(kind, world):
    """Write one thing the parts show, as the app writes it (signals and all)."""
    accepted = world["shown"]["accepted"]
    if kind == "registration":
        accepted.preferred_timing = f"Später {MARKED}"
        accepted.save()
    elif kind == "cohort":
        world["cohort"].title = f"Neu {MARKED}"
        world["cohort"].save()
    elif kind == "programme":
        programme = world["cohort"].programme
        programme.name = f"Neues Programm {MARKED}"
        programme.save()
    elif kind == "parent_ministry":
        parent = accepted.parent_ministry
        parent.name = f"Umbenannt {MARKED}"
        parent.save()
    elif kind == "organisation":
        company = accepted.organisation
        company.name = f"Firma neu {MARKED}"
        company.save()
    elif kind == "decider":
        world["office"].name = f"Neu {MARKED}"
        world["office"].save()
    elif kind == "note_added":
        RegistrationNote.objects.create(registration=accepted, author=world["office"], text="2")
    elif kind == "note_deleted":
        RegistrationNote.objects.filter(registration=accepted).delete()
    elif kind == "decided":
        confirmed = world["shown"]["confirmed"]
        confirmed.state = InterestRegistration.State.DECLINED
        confirmed.decline_reason = "Nein"
        confirmed.save()


@pytest.mark.parametrize(
    "kind",
    [
        "registration",
        "cohort",
        "programme",
        "parent_ministry",
        "organisation",
        "decider",
        "note_added",
        "note_deleted",
        "decided",
    ],
)
def test_a_change_of_what_the_parts_show_shows_on_the_next_visit(world, monkeypatch, kind):
    pages = _pages(world)
    before = _visit(world, pages)
    _change(kind, world)
    after = _visit(world, pages)
    assert after != before
    _anew(monkeypatch)
    assert _visit(world, pages) == after
