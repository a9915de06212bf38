"""Publishing and withdrawing: only the programme office of the publishing organisation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from blueprints import selectors, services
from tests.factories.blueprints import BlueprintFactory
from tests.factories.core import (
    OrganisationFactory,
    UserFactory,
    office_user,
    participant_user,
    partner_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry():
    return OrganisationFactory()


def test_the_office_publishes_a_draft(ministry):
    draft = BlueprintFactory(organisation=ministry, draft=True)
    before = timezone.now()

    published = services.blueprint_publish(blueprint=draft, by=office_user(org=ministry))

    draft.refresh_from_db()
    assert draft.is_public and draft.is_published
    assert draft.published_at >= before
    assert published.pk == draft.pk
    assert list(selectors.public_blueprints()) == [draft]


def test_publishing_a_future_one_publishes_it_now(ministry):
    future = timezone.now() + timedelta(days=10)
    blueprint = BlueprintFactory(organisation=ministry, is_public=True, published_at=future)

    services.blueprint_publish(blueprint=blueprint, by=office_user(org=ministry))

    blueprint.refresh_from_db()
    assert blueprint.published_at < future
    assert blueprint.is_published


def test_withdraw_and_publish_again_keeps_the_first_date(ministry):
    first = timezone.now() - timedelta(days=100)
    blueprint = BlueprintFactory(organisation=ministry, published_at=first)
    office = office_user(org=ministry)

    services.blueprint_withdraw(blueprint=blueprint, by=office)
    blueprint.refresh_from_db()
    assert not blueprint.is_public and not blueprint.is_published
    assert blueprint.published_at == first
    assert list(selectors.public_blueprints()) == []

    services.blueprint_publish(blueprint=blueprint, by=office)
    blueprint.refresh_from_db()
    assert blueprint.is_published and blueprint.published_at == first


@pytest.mark.parametrize(
    "make_user",
    [
        lambda org: office_user(),  # another ministry's office
        lambda org: partner_user(org=org),  # a partner contact of the same organisation
        lambda org: participant_user(),
        lambda org: UserFactory(is_staff=True, is_superuser=True),
    ],
    ids=["other-office", "partner-contact", "participant", "superuser"],
)
@pytest.mark.parametrize("verb", ["publish", "withdraw"])
def test_nobody_else_may_publish_or_withdraw(ministry, make_user, verb):
    blueprint = BlueprintFactory(organisation=ministry, draft=(verb == "publish"))
    state = (blueprint.is_public, blueprint.published_at)
    service = getattr(services, f"blueprint_{verb}")

    with pytest.raises(PermissionDenied):
        service(blueprint=blueprint, by=make_user(ministry))

    blueprint.refresh_from_db()
    assert (blueprint.is_public, blueprint.published_at) == state


def test_services_take_keyword_arguments_only(ministry):
    blueprint = BlueprintFactory(organisation=ministry)
    with pytest.raises(TypeError):
        services.blueprint_withdraw(blueprint, office_user(org=ministry))
