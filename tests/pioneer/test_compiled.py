"""pioneer.compiled: a query kept compiled answers for the ids given, converts its
columns as Django does, and refuses a query that does not use every id."""

import pytest
from django.db.models import Count, Q

from cohorts.models import Cohort, InterestRegistration
from pioneer import compiled
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory

pytestmark = pytest.mark.django_db


def _by_state(cohort):
    return (
        InterestRegistration.objects.filter(cohort_id=cohort)
        .values("state")
        .annotate(n=Count("id"))
        .order_by("state")
    )


def test_values_answers_for_each_cohort_given():
    first, second = CohortFactory(), CohortFactory()
    InterestRegistrationFactory.create_batch(2, cohort=first)
    InterestRegistrationFactory(cohort=second)
    for cohort in (first, second, first):
        expected = list(_by_state(cohort.pk))
        assert compiled.values("test.by_state", _by_state, cohort=cohort.pk) == expected
    assert compiled.values("test.by_state", _by_state, cohort=0) == []


def test_count_answers_for_each_cohort_given():
    first, second = CohortFactory(), CohortFactory()
    InterestRegistrationFactory.create_batch(3, cohort=first)

    def build(cohort):
        return InterestRegistration.objects.filter(cohort_id=cohort)

    assert compiled.count("test.count", build, cohort=first.pk) == 3
    assert compiled.count("test.count", build, cohort=second.pk) == 0


def test_objects_are_instances_with_related_rows_and_annotations():
    cohort = CohortFactory()
    InterestRegistrationFactory.create_batch(2, cohort=cohort)

    def build(programme):
        return (
            Cohort.objects.filter(programme_id=programme)
            .annotate(n=Count("registrations", filter=Q(registrations__id__gt=0)))
            .order_by("pk")
        )

    (found,) = compiled.objects(
        "test.objects", build, related=("programme",), limit=5, programme=cohort.programme_id
    )
    assert found == cohort
    assert found.n == 2
    assert found.start_date == cohort.start_date
    assert found.programme.name == cohort.programme.name
    assert found._state.adding is False


def test_a_query_that_leaves_out_an_id_is_refused():
    def build(cohort):
        return InterestRegistration.objects.values("state")

    with pytest.raises(ValueError):
        compiled.values("test.unused", build, cohort=1)
