"""Role predicates and the view helpers built on them: deny by default."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from pioneer import rules as pioneer_rules
from pioneer.access import SYSTEM
from pioneer.models import Organisation, Role
from pioneer.permissions import role_required, scoped_object_or_404
from pioneer.rules import (
    is_contact_of,
    is_evaluator,
    is_office_of,
    is_participant,
    is_partner_contact,
    is_programme_office,
    needs_second_factor,
    roles_of,
)
from pioneer.services import role_grant, role_revoke
from tests.factories.core import (
    OrganisationFactory,
    RoleFactory,
    UserFactory,
    evaluator_user,
    office_user,
    participant_user,
    partner_user,
)

pytestmark = pytest.mark.django_db

PREDICATES = [
    is_programme_office,
    is_partner_contact,
    is_participant,
    is_evaluator,
    needs_second_factor,
]


def test_anonymous_and_roleless_users_may_do_nothing():
    org = OrganisationFactory()
    for user in (AnonymousUser(), UserFactory(), None):
        assert roles_of(user).kinds == frozenset()
        for predicate in PREDICATES:
            assert not predicate(user)
        assert not is_office_of(user, org)
        assert not is_contact_of(user, org)
        assert not pioneer_rules.rules.has_perm("pioneer.invite_people", user)


def test_each_role_answers_only_its_own_predicate():
    ministry = OrganisationFactory()
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    people = {
        is_programme_office: office_user(ministry),
        is_partner_contact: partner_user(company),
        is_participant: participant_user(),
        is_evaluator: evaluator_user(),
    }
    for expected, user in people.items():
        for predicate in PREDICATES[:4]:
            assert predicate(user) is (predicate is expected), (predicate, user)
    assert needs_second_factor(people[is_programme_office])
    assert needs_second_factor(people[is_evaluator])
    assert not needs_second_factor(people[is_participant])
    assert not needs_second_factor(people[is_partner_contact])


def test_office_and_contact_are_scoped_to_their_organisation():
    ours, theirs = OrganisationFactory(), OrganisationFactory()
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY)
    office = office_user(ours)
    contact = partner_user(company)
    assert is_office_of(office, ours)
    assert is_office_of(office, ours.pk)
    assert not is_office_of(office, theirs)
    assert not is_office_of(office, None)
    assert not is_contact_of(office, ours)
    assert is_contact_of(contact, company)
    assert not is_contact_of(contact, ours)
    assert not is_office_of(contact, company)


def test_a_person_can_hold_several_roles():
    ministry = OrganisationFactory()
    user = participant_user()
    RoleFactory(user=user, kind=Role.Kind.PROGRAMME_OFFICE, organisation=ministry)
    RoleFactory(user=user, kind=Role.Kind.EVALUATOR)
    assert roles_of(user).kinds == {"participant", "office", "evaluator"}
    assert is_office_of(user, ministry)


def test_an_inactive_person_has_no_roles():
    user = office_user(is_active=False)
    assert not is_programme_office(user)
    assert not needs_second_factor(user)


def test_roles_are_read_once_and_refreshed_after_a_change(django_assert_num_queries):
    user = participant_user()
    with django_assert_num_queries(1):
        for _ in range(5):
            assert is_participant(user)
            assert not is_evaluator(user)
    role_grant(user=user, kind=Role.Kind.EVALUATOR, by=SYSTEM)
    assert is_evaluator(user)
    role_revoke(user=user, kind=Role.Kind.EVALUATOR)
    assert not is_evaluator(user)


def test_the_invite_permission_belongs_to_the_programme_office():
    assert office_user().has_perm("pioneer.invite_people")
    for user in (participant_user(), evaluator_user(), partner_user()):
        assert not user.has_perm("pioneer.invite_people")


def _view(request):
    return HttpResponse("ok")


def _request(user):
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = user
    return request


def test_role_required_sends_anonymous_visitors_to_login():
    response = role_required(Role.Kind.PROGRAMME_OFFICE)(_view)(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
    assert "somewhere" in response.url


def test_role_required_denies_other_roles_and_admits_any_listed_role():
    gate = role_required(Role.Kind.PROGRAMME_OFFICE, Role.Kind.EVALUATOR)(_view)
    for user in (participant_user(), partner_user(), UserFactory()):
        with pytest.raises(PermissionDenied):
            gate(_request(user))
    for user in (office_user(), evaluator_user()):
        assert gate(_request(user)).status_code == 200


def test_role_required_does_not_let_a_superuser_without_role_in():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        role_required(Role.Kind.PROGRAMME_OFFICE)(_view)(_request(superuser))


def test_scoped_object_or_404_hides_other_peoples_objects():
    ours, theirs = OrganisationFactory(), OrganisationFactory()
    office = office_user(ours)
    scoped = Organisation.objects.filter(roles__user=office)
    assert scoped_object_or_404(scoped, pk=ours.pk) == ours
    with pytest.raises(Http404):
        scoped_object_or_404(scoped, pk=theirs.pk)
    with pytest.raises(Http404):
        scoped_object_or_404(scoped, pk=999999)


def test_has_totp_is_read_once_per_user_object(django_assert_num_queries):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from pioneer.rules import has_totp

    assert not has_totp(AnonymousUser())
    user = office_user()
    with django_assert_num_queries(1):
        assert not has_totp(user)
        assert not has_totp(user)
    TOTP.activate(user, generate_totp_secret())
    assert has_totp(type(user).objects.get(pk=user.pk))


def _unchecked_rules():
    """Registered rules that no view, panel or template names (nor calls the predicate)."""
    from pathlib import Path

    from rules.permissions import permissions

    root = Path(__file__).resolve().parents[2]
    sources = [
        path.read_text(encoding="utf-8")
        for pattern in ("*/*views*.py", "*/views/*.py", "*/panels*.py", "templates/**/*.html")
        for path in root.glob(pattern)
        if ".venv" not in path.parts
    ]
    return [
        name
        for name, predicate in permissions.items()
        if not any(name in text or f"{predicate.name}(" in text for text in sources)
    ]


def test_every_registered_rule_is_checked_somewhere():
    """A rule that no view or template checks promises a protection that does not exist:
    each one registered must be named (or its predicate called) outside the rules
    modules."""
    assert _unchecked_rules() == []


def test_an_unchecked_rule_is_noticed():
    import rules

    @rules.predicate
    def nobody_asks_this(user):
        return True

    rules.add_perm("pioneer.forgotten_action", nobody_asks_this)
    try:
        assert _unchecked_rules() == ["pioneer.forgotten_action"]
    finally:
        rules.remove_perm("pioneer.forgotten_action")


def test_may_act_for_is_the_offices_own_authorities_and_linked_partners():
    from pioneer.rules import may_act_for
    from tests.factories.core import partner_of

    ministry, other = OrganisationFactory(), OrganisationFactory()
    authority = OrganisationFactory(kind=Organisation.Kind.AUTHORITY, parent=ministry)
    linked, foreign = partner_of(ministry), partner_of(other)
    office = office_user(ministry)
    assert all(may_act_for(office, org) for org in (ministry, authority, linked))
    assert not any(may_act_for(office, org) for org in (other, foreign, None))
    assert not may_act_for(partner_user(linked), linked)
    assert not may_act_for(AnonymousUser(), ministry)
