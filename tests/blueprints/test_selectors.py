"""Who sees which blueprints: public and published for everyone, unpublished ones only for
the programme office of the publishing organisation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blueprints import selectors
from tests.factories.blueprints import BlueprintFactory
from tests.factories.core import OrganisationFactory, office_user, participant_user

pytestmark = pytest.mark.django_db


def test_public_blueprints_are_the_public_and_published_ones_newest_first():
    now = timezone.now()
    old = BlueprintFactory(published_at=now - timedelta(days=30))
    new = BlueprintFactory(published_at=now - timedelta(days=1))
    BlueprintFactory(draft=True)
    BlueprintFactory(is_public=False, published_at=now - timedelta(days=2))  # withdrawn
    BlueprintFactory(is_public=True, published_at=now + timedelta(days=2))  # not yet
    BlueprintFactory(is_public=True, published_at=None)

    assert list(selectors.public_blueprints()) == [new, old]


def test_public_blueprints_at_a_given_moment():
    now = timezone.now()
    later = BlueprintFactory(published_at=now + timedelta(days=2))
    assert list(selectors.public_blueprints()) == []
    assert list(selectors.public_blueprints(now=now + timedelta(days=3))) == [later]


def test_the_office_sees_its_own_unpublished_ones_and_nobody_elses():
    ministry, other = OrganisationFactory(), OrganisationFactory()
    published = BlueprintFactory(organisation=other)
    own_draft = BlueprintFactory(organisation=ministry, draft=True)
    foreign_draft = BlueprintFactory(organisation=other, draft=True)
    office = office_user(org=ministry)

    assert set(selectors.visible_blueprints(office)) == {published, own_draft}
    assert list(selectors.unpublished_blueprints_for(office)) == [own_draft]
    assert foreign_draft not in selectors.managed_blueprints(office)
    assert set(selectors.visible_blueprints(participant_user())) == {published}
    assert set(selectors.visible_blueprints(office_user(org=other))) == {
        published,
        foreign_draft,
    }


def test_the_anonymous_visitor_sees_only_published_ones():
    from django.contrib.auth.models import AnonymousUser

    published = BlueprintFactory()
    BlueprintFactory(draft=True)
    assert list(selectors.visible_blueprints(AnonymousUser())) == [published]
    assert list(selectors.managed_blueprints(AnonymousUser())) == []
