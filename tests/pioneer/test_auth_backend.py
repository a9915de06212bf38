"""The sign-in backend reads the user, their roles and their authenticator in one query,
and what it reads is what the separate reads would have said."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from pioneer.access import SYSTEM
from pioneer.auth import Backend
from pioneer.models import Role
from pioneer.rules import has_totp, role_set, roles_of
from pioneer.services import role_grant, role_revoke
from tests.factories.core import OrganisationFactory, UserFactory, office_user, partner_user

pytestmark = pytest.mark.django_db


def _separately(user):
    """The roles as roles_of reads them on a fresh object (its own query)."""
    return roles_of(type(user).objects.get(pk=user.pk))


def test_one_query_gives_the_user_their_roles_and_their_authenticator(
    django_assert_num_queries,
):
    ministry, partner = OrganisationFactory(), OrganisationFactory()
    user = office_user(ministry)
    role_grant(user=user, kind=Role.Kind.PARTNER_CONTACT, organisation=partner, by=SYSTEM)
    role_grant(user=user, kind=Role.Kind.EVALUATOR, by=SYSTEM)
    TOTP.activate(user, generate_totp_secret())
    with django_assert_num_queries(1):
        read = Backend().get_user(user.pk)
        roles = roles_of(read)
        assert has_totp(read)
    assert read == user
    assert roles == _separately(user)
    assert roles.kinds == {"office", "partner", "evaluator"}
    assert roles.organisation_ids("office") == {ministry.pk}
    assert roles.organisation_ids("partner") == {partner.pk}
    assert roles.organisation_ids("evaluator") == frozenset()


def test_a_person_without_roles_or_authenticator_is_read_too():
    user = UserFactory()
    read = Backend().get_user(user.pk)
    assert read == user
    assert roles_of(read) == _separately(user) == role_set([])
    assert not has_totp(read)


def test_unknown_and_inactive_people_are_nobody():
    assert Backend().get_user(987_654_321) is None
    inactive = partner_user(is_active=False)
    assert Backend().get_user(inactive.pk) is None


def test_a_role_granted_or_revoked_counts_from_the_next_request(client):
    user = UserFactory()
    client.force_login(user, backend="pioneer.auth.Backend")
    assert client.get(reverse("organisation_list")).status_code == 403
    ministry = OrganisationFactory()
    role_grant(user=user, kind=Role.Kind.PROGRAMME_OFFICE, organisation=ministry, by=SYSTEM)
    assert client.get(reverse("organisation_list")).status_code == 200
    role_revoke(user=user, kind=Role.Kind.PROGRAMME_OFFICE, organisation=ministry)
    assert client.get(reverse("organisation_list")).status_code == 403
