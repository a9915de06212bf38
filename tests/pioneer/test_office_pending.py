"""The office's home panel counts the invited people of its organisations who have not set
a password yet with SQL kept per process (pioneer.signals._office_pending): the same
number the queryset counts, for one or two organisations, people in both, none."""

import pytest
from django.utils import timezone

from pioneer import compiled
from pioneer.signals import _office_pending, _office_pending_queryset
from tests.factories.core import OrganisationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _kept(organisations):
    (row,) = compiled.values(
        f"pioneer.office_pending.{len(organisations)}",
        _office_pending,
        **{f"organisation{index}": pk for index, pk in enumerate(organisations)},
    )
    return row["n"]


def _invited(organisation, **fields):
    user = UserFactory(password=False, **fields)
    RoleFactory(user=user, kind="programme_office", organisation=organisation)
    return user


def test_the_kept_count_is_the_querysets():
    one, two, other = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    cases = [[one.pk], [one.pk, two.pk]]
    for organisations in cases:
        assert _kept(organisations) == _office_pending_queryset(organisations).count() == 0
    both = _invited(one)
    RoleFactory(user=both, kind="programme_office", organisation=two)  # counted once
    _invited(two)
    _invited(other)
    signed_in = _invited(one)
    type(signed_in).objects.filter(pk=signed_in.pk).update(last_login=timezone.now())
    with_password = UserFactory()
    RoleFactory(user=with_password, kind="programme_office", organisation=one)
    expected = {1: 1, 2: 2}
    for organisations in cases:
        counted = _office_pending_queryset(organisations).count()
        assert _kept(organisations) == counted == expected[len(organisations)]
