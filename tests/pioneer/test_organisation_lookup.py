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
