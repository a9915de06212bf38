"""Factories and helpers for the core: people, organisations, roles, notifications.

UserFactory()                      a person (German, password "pioneer-demo";
                                   password=False: invited, no password yet)
OrganisationFactory()              a ministry; kind="authority" brings its parent ministry
RoleFactory(user=..., kind=...)    a role; office/partner roles get an organisation
office_user(org=None)              a programme-office person for org (or a new ministry)
partner_user(org=None)             a partner contact
participant_user()                 a participant
evaluator_user()                   an evaluator
link_partner(office_org, partner)  the office of office_org acts for partner (PartnerLink)
partner_of(office_org, **fields)   a new company that office_org's office linked
"""

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from pioneer.models import Notification, Organisation, PartnerLink, Role, User

PASSWORD = "pioneer-demo"
# Hashed once: the test hasher is fast, but there is no need to hash per user.
_PASSWORD_HASH = None


def _password_hash():
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(PASSWORD)
    return _PASSWORD_HASH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@pioneer.example")
    name = factory.Sequence(lambda n: f"Person {n}")
    language = "de"
    is_active = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        # UserFactory(password=False): an invited person who has not set a password yet.
        if extracted is False:
            obj.set_unusable_password()
        elif extracted:
            obj.set_password(extracted)
        else:
            obj.password = _password_hash()
        if create:
            obj.save(update_fields=["password"])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Ministerium {n}")
    short_name = factory.Sequence(lambda n: f"M{n}")
    kind = Organisation.Kind.MINISTRY
    parent = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == Organisation.Kind.AUTHORITY),
        yes_declaration=factory.SubFactory(
            "tests.factories.core.OrganisationFactory", kind=Organisation.Kind.MINISTRY
        ),
        no_declaration=None,
    )
    city = "Potsdam"


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.PARTICIPANT
    organisation = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind in Role.ORGANISATION_BOUND),
        yes_declaration=factory.SubFactory(OrganisationFactory),
        no_declaration=None,
    )


def _user_with_role(kind, org=None, **user_fields):
    user = UserFactory(**user_fields)
    if org is None:
        RoleFactory(user=user, kind=kind)
    else:
        RoleFactory(user=user, kind=kind, organisation=org)
    return user


def office_user(org=None, **user_fields):
    """A programme-office person, for org (a new ministry when None)."""
    return _user_with_role(Role.Kind.PROGRAMME_OFFICE, org, **user_fields)


def partner_user(org=None, **user_fields):
    """A partner contact, for org (a new ministry when None)."""
    return _user_with_role(Role.Kind.PARTNER_CONTACT, org, **user_fields)


def participant_user(**user_fields):
    return _user_with_role(Role.Kind.PARTICIPANT, **user_fields)


def evaluator_user(**user_fields):
    return _user_with_role(Role.Kind.EVALUATOR, **user_fields)


class NotificationFactory(factory.django.DjangoModelFactory):
    """A ledger row about its recipient (target defaults to the recipient)."""

    class Meta:
        model = Notification
        exclude = ("target_object",)

    kind = "account.role_granted"
    recipient = factory.SubFactory(UserFactory)
    target_object = factory.SelfAttribute("recipient")
    content_type = factory.LazyAttribute(
        lambda o: ContentType.objects.get_for_model(o.target_object)
    )
    object_id = factory.LazyAttribute(lambda o: o.target_object.pk)
    due_at = factory.LazyFunction(timezone.now)
    due_date = factory.LazyAttribute(lambda o: timezone.localdate(o.due_at))
    state = Notification.State.PENDING


def link_partner(office_organisation, partner):
    """The office of `office_organisation` linked `partner` (as accepting a registration
    and linking it does)."""
    PartnerLink.objects.get_or_create(office_organisation=office_organisation, partner=partner)
    return partner


def partner_of(office_organisation, **fields):
    """A new company (or fields["kind"]) linked to `office_organisation`'s office."""
    fields.setdefault("kind", Organisation.Kind.COMPANY)
    return link_partner(office_organisation, OrganisationFactory(**fields))
