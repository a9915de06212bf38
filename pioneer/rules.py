"""Who may do what: role predicates that every app builds on. Deny by default.

A user's roles are read once per request object and cached on it, so templates and
views can ask as often as they like without extra queries.
"""

from dataclasses import dataclass

import rules
from allauth.mfa.models import Authenticator

from pioneer.models import Organisation, Role


@dataclass(frozen=True)
class RoleSet:
    kinds: frozenset
    organisations: dict  # role kind -> frozenset of organisation ids

    def has(self, kind):
        return kind in self.kinds

    def organisation_ids(self, kind):
        return self.organisations.get(kind, frozenset())


EMPTY = RoleSet(frozenset(), {})


def roles_of(user):
    """The user's roles (one query, then cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    cached = getattr(user, "_pioneer_roles", None)
    if cached is None:
        pairs = Role.objects.filter(user=user).values_list("kind", "organisation_id")
        cached = user._pioneer_roles = role_set(pairs)
    return cached


def role_set(pairs):
    """A RoleSet from (kind, organisation id or None) pairs; a pair of two Nones (a user
    without roles, read with a join) adds nothing."""
    orgs = {}
    for kind, org_id in pairs:
        if kind is None:
            continue
        orgs.setdefault(kind, set())
        if org_id:
            orgs[kind].add(org_id)
    return RoleSet(frozenset(orgs), {k: frozenset(v) for k, v in orgs.items()})


def has_totp(user):
    """The user has set up an authenticator app (one query, then cached on the user)."""
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(user, "_pioneer_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._pioneer_has_totp = cached
    return cached


def forget_roles(user):
    """Drop the cached roles after they changed (services call this)."""
    for name in ("_pioneer_roles", "_pioneer_acting"):
        if hasattr(user, name):
            delattr(user, name)


@rules.predicate
def is_programme_office(user):
    return roles_of(user).has(Role.Kind.PROGRAMME_OFFICE)


@rules.predicate
def is_partner_contact(user):
    return roles_of(user).has(Role.Kind.PARTNER_CONTACT)


@rules.predicate
def is_participant(user):
    return roles_of(user).has(Role.Kind.PARTICIPANT)


@rules.predicate
def is_evaluator(user):
    return roles_of(user).has(Role.Kind.EVALUATOR)


@rules.predicate
def needs_second_factor(user):
    """The person holds a role that sees many people's data (Role.SECOND_FACTOR_ROLES) or
    is a technical administrator (`is_staff`, the Django admin sees everything): they must
    sign in with a second factor. ("Staff" in this project means only `is_staff`.)"""
    if getattr(user, "is_staff", False) and user.is_active:
        return True
    return bool(roles_of(user).kinds & Role.SECOND_FACTOR_ROLES)


@rules.predicate
def is_office_of(user, organisation):
    """The user works in the programme office of this organisation."""
    if organisation is None:
        return False
    org_id = getattr(organisation, "pk", organisation)
    return org_id in roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)


@rules.predicate
def is_contact_of(user, organisation):
    """The user is a partner contact of this organisation."""
    if organisation is None:
        return False
    org_id = getattr(organisation, "pk", organisation)
    return org_id in roles_of(user).organisation_ids(Role.Kind.PARTNER_CONTACT)


@rules.predicate
def may_act_for(user, organisation):
    """The user's programme office may act for this organisation: its own, a subordinate
    authority of it, or a partner it linked (`selectors.organisations_for_office`)."""
    if organisation is None:
        return False
    # Here, not at the top: pioneer.selectors reads the roles from this module.
    from pioneer.selectors import organisations_for_office

    org_id = getattr(organisation, "pk", organisation)
    cache = getattr(user, "_pioneer_acting", None)
    if cache is None:
        cache = {}
        user._pioneer_acting = cache
    if org_id not in cache:
        cache[org_id] = organisations_for_office(user).filter(pk=org_id).exists()
    return cache[org_id]


@rules.predicate
def may_edit_organisation(user, organisation):
    """The office may change this organisation's details: it acts for it, and it is no
    other ministry's public body (a partner authority of another ministry is linked to
    work with, not to be re-parented)."""
    if not may_act_for(user, organisation):
        return False
    if organisation.kind not in (Organisation.Kind.MINISTRY, Organisation.Kind.AUTHORITY):
        return True
    own = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    return organisation.pk in own or organisation.parent_id in own


# One predicate per action, checked in the view (and templates through the same name).
rules.add_perm("pioneer.invite_people", is_programme_office)
rules.add_perm("pioneer.manage_organisations", is_programme_office)
rules.add_perm("pioneer.view_organisation", may_act_for)
rules.add_perm("pioneer.change_organisation", may_edit_organisation)
