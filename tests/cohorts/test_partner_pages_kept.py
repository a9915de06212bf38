"""A partner's list of their registrations and of the offices that work with them, kept
rendered a page at a time (pioneer.fragments.list_page_html, under cohorts.figures'
change token and the partner's organisations): the pages as rendered without keeping them
(the reference), for any page number and in German and English, with names that need
escaping; and a change of what they show on the next visit."""

import pytest
from django.utils.html import escape

from cohorts import selectors
from cohorts.models import InterestRegistration
from cohorts.views import lists, participations
from pioneer import fragments
from pioneer.models import Organisation, Role
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, RoleFactory, link_partner, office_user
from tests.pages import page_html, unkept_html
from tests.test_partner_lists_kept import MARKUP
from tests.test_partner_lists_kept import partners as partners  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

PATHS = ["/registrations/", "/partner/offices/"]
ASKED = ["", "?page=2", "?page=3", "?page=0", "?page=-1", "?page=99", "?page=x", "?page=2&a=b"]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(lists, "REGISTRATION_PAGE_SIZE", 3)
    monkeypatch.setattr(participations, "OFFICES_PAGE_SIZE", 2)


_page = page_html


_unkept = unkept_html


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("who", ["both", "only_first"])
def test_the_kept_pages_are_the_pages_rendered(
    client, partners, small_pages, monkeypatch, who, language
):
    client.force_login(partners[who])
    paths = [path + asked for path in PATHS for asked in ASKED]
    with monkeypatch.context() as patch:
        patch.setattr(fragments, "cached_html", _unkept)
        expected = {path: _page(client, path, language) for path in paths}
    for _visit in range(2):  # rendered and kept, then as kept
        for path in paths:
            assert _page(client, path, language) == expected[path], path
    shown = "".join(expected.values())
    assert f"Anmeldung 0.0 {escape(MARKUP)}" in shown
    assert f"Ministerium 2 {escape(MARKUP)}" in shown and MARKUP not in shown
    assert "a=b" in expected["/registrations/?page=2&a=b"]


def test_the_pages_show_each_change_on_the_next_visit(client, partners):
    client.force_login(partners["only_first"])
    first = Organisation.objects.get(name__startswith="Erste")
    html = _page(client, "/registrations/")
    made = InterestRegistrationFactory(
        cohort=selectors.partner_registration_list(partners["only_first"])[0:1][0].cohort,
        organisation=first,
        state=InterestRegistration.State.CONFIRMED,
    )
    html = _page(client, "/registrations/")
    assert f'href="/registrations/{made.pk}/"' in html
    made.cohort.title = "Umbenannt <i>"
    made.cohort.save()
    assert "Umbenannt &lt;i&gt;" in _page(client, "/registrations/")
    InterestRegistration.objects.get(pk=made.pk).delete()
    assert f'href="/registrations/{made.pk}/"' not in _page(client, "/registrations/")

    ministry = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="Neues Ministerium")
    office_user(ministry, email="neu@office.example")
    assert "Neues Ministerium" not in _page(client, "/partner/offices/")
    link_partner(ministry, first)
    assert "Neues Ministerium" in _page(client, "/partner/offices/")
    member = office_user(ministry, email="zweit@office.example")
    assert "zweit@office.example" in _page(client, "/partner/offices/")
    Role.objects.filter(user=member).delete()
    assert "zweit@office.example" not in _page(client, "/partner/offices/")
    ministry.name = "Umbenanntes Ministerium"
    ministry.save()
    assert "Umbenanntes Ministerium" in _page(client, "/partner/offices/")


def test_a_new_organisation_of_the_contact_shows_on_the_next_visit(client, partners):
    client.force_login(partners["only_first"])
    other = OrganisationFactory(kind=Organisation.Kind.COMPANY, name="Dritte GmbH")
    ministry = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="Drittes Ministerium")
    link_partner(ministry, other)
    made = InterestRegistrationFactory(
        cohort=CohortFactory(programme=ProgrammeFactory(organisation=ministry)), organisation=other
    )
    assert "Drittes Ministerium" not in _page(client, "/partner/offices/")
    assert f"/registrations/{made.pk}/" not in _page(client, "/registrations/?page=1")
    RoleFactory(user=partners["only_first"], kind=Role.Kind.PARTNER_CONTACT, organisation=other)
    assert "Drittes Ministerium" in _page(client, "/partner/offices/")
    assert f"/registrations/{made.pk}/" in _page(client, "/registrations/?page=1")


def test_contacts_of_other_organisations_never_see_each_others_kept_pages(partners):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(partners["only_first"])
    second_contact = RoleFactory(
        kind=Role.Kind.PARTNER_CONTACT,
        organisation=Organisation.objects.get(name="Zweite AG"),
    ).user
    second.force_login(second_contact)
    for path in PATHS:
        ours, theirs = _page(first, path), _page(second, path)  # nothing written between
        assert ours != theirs
    assert f"Ministerium 1 {escape(MARKUP)}" not in _page(first, "/partner/offices/")
    assert f"Ministerium 1 {escape(MARKUP)}" in _page(second, "/partner/offices/")


def test_kept_pages_last_no_longer_than_the_counts_under_the_token(client, partners, monkeypatch):
    """What no signal reports (rows written by hand) shows after figures.SECONDS at most."""
    from django.core.cache import cache

    from cohorts import figures

    kept = []
    set_ = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        if key.startswith("fragment:cohorts.partner_"):
            kept.append(timeout)
        return set_(key, value, timeout, **kwargs)

    client.force_login(partners["both"])
    monkeypatch.setattr(cache, "set", recording_set)
    for path in PATHS:
        _page(client, path)
    assert len(kept) == 2 and set(kept) == {figures.SECONDS}
