"""The office's organisation pages read the organisation (with its parent) and its partner
contacts by SQL kept per process (pioneer.views.organisations): the same organisation
`organisations_for_office` scopes (its own, their authorities, linked partners; 404 for
any other), for an office of one organisation or of two, and the same contacts, in the
same order, as `partner_contacts_of`; the rule `may_act_for` is told without asking again."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from pioneer import rules as pioneer_rules
from pioneer import selectors
from pioneer.models import Organisation, Role
from pioneer.views.organisations import _acting_for_or_404, partner_contacts
from tests.factories.core import (
    OrganisationFactory,
    RoleFactory,
    UserFactory,
    office_user,
    partner_of,
    partner_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium <&>", kind=Organisation.Kind.MINISTRY)
    second = OrganisationFactory(name="Zweites Ministerium", kind=Organisation.Kind.MINISTRY)
    authority = OrganisationFactory(
        name="Landesamt", kind=Organisation.Kind.AUTHORITY, parent=ministry
    )
    foreign_authority = OrganisationFactory(
        name="Fremdes Amt",
        kind=Organisation.Kind.AUTHORITY,
        parent=OrganisationFactory(kind=Organisation.Kind.MINISTRY),
    )
    linked = partner_of(ministry, name="Partner GmbH")
    linked_by_second = partner_of(second, name="Zweiter Partner")
    stranger = OrganisationFactory(name="Fremde GmbH", kind=Organisation.Kind.COMPANY)
    one = office_user(org=ministry)
    two = office_user(org=ministry)
    RoleFactory(user=two, kind=Role.Kind.PROGRAMME_OFFICE, organisation=second)
    return {
        "offices": [one, two, office_user(org=stranger), UserFactory()],
        "organisations": [
            ministry,
            second,
            authority,
            foreign_authority,
            linked,
            linked_by_second,
            stranger,
        ],
    }


def test_the_kept_lookup_finds_what_the_scope_finds(world):
    compared = 0
    for user in world["offices"]:
        for organisation in world["organisations"]:
            scope = selectors.organisations_for_office(user).select_related("parent")
            expected = scope.filter(pk=organisation.pk).first()
            fresh = type(user).objects.get(pk=user.pk)
            if expected is None:
                with pytest.raises(Http404):
                    _acting_for_or_404(fresh, organisation.pk)
                continue
            found = _acting_for_or_404(fresh, organisation.pk)
            assert (found.pk, found.name, found.kind, found.parent) == (
                expected.pk,
                expected.name,
                expected.kind,
                expected.parent,
            )
            # Found so, the rule knows the office may act for it, without a query.
            with CaptureQueriesContext(connection) as queries:
                assert pioneer_rules.may_act_for(fresh, found)
            assert not len(queries)
            compared += 1
    # One ministry: itself, its authority, its partner; two: those, the other and its
    # partner; the stranger's office: its own.
    assert compared == 3 + 5 + 1
    with pytest.raises(Http404):
        _acting_for_or_404(world["offices"][0], 2**63)


def test_the_kept_contacts_are_partner_contacts_of(world):
    linked = world["organisations"][4]
    for name in ("Zora", "anton", "<b>Ägidius</b>", "", "anton"):
        partner_user(org=linked, name=name)
    partner_user(org=world["organisations"][5], name="Anderswo")
    for organisation in world["organisations"]:
        expected = selectors.partner_contacts_of([organisation.pk]).get(organisation.pk, [])
        got = partner_contacts(organisation.pk)
        assert [(u.pk, u.name, u.email, u.has_usable_password()) for u in got] == [
            (u.pk, u.name, u.email, u.has_usable_password()) for u in expected
        ]
    assert len(partner_contacts(linked.pk)) == 5


@pytest.mark.parametrize("kept_pages", [20, 1])
def test_the_kept_list_page_is_the_querysets_page(world, monkeypatch, kept_pages):
    from django.core.paginator import Paginator

    from pioneer.row_html import organisation_rows
    from pioneer.views import organisations as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "KEPT_PAGES", kept_pages)
    partner_user(org=world["organisations"][4])
    partner_user(org=world["organisations"][4])
    partner_user(org=world["organisations"][0])
    OrganisationFactory(
        name="<script>Amt</script>", kind="authority", parent=world["organisations"][0]
    )
    compared = 0
    for user in world["offices"]:
        for number in (None, "1", "2", "3", "4", "0", "x", "99"):
            expected = Paginator(selectors.organisations_with_contact_counts(user), 2).get_page(
                number
            )
            got = views.organisation_page(user, number)
            assert (got.number, got.paginator.count, got.paginator.num_pages) == (
                expected.number,
                expected.paginator.count,
                expected.paginator.num_pages,
            )
            rows = list(expected.object_list)
            assert [(o.pk, o.name, o.parent, o.contact_count) for o in got.object_list] == [
                (o.pk, o.name, o.parent, o.contact_count) for o in rows
            ]
            assert views.organisation_list_rows(got.object_list) == organisation_rows(rows)
            compared += len(rows)
    assert compared > 20
    html = views.organisation_list_rows(
        selectors.organisations_with_contact_counts(world["offices"][0])
    )
    assert "&lt;script&gt;Amt" in html and "Ministerium &lt;&amp;&gt;" in html
