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


def test_objects_load_related_rows_along_a_path_and_empty_ones_as_none():
    from tandems.models import HospitationPhase
    from tests.factories.core import UserFactory
    from tests.factories.tandems import tandem

    made = tandem()
    first, second = made.phases.order_by("number")
    first.host_contact = UserFactory()
    first.save()
    second.host_contact = None
    second.save()

    def build(tandem):
        return HospitationPhase.objects.filter(tandem_id=tandem).order_by("number")

    found = compiled.objects(
        "test.objects_path",
        build,
        related=("tandem", "tandem__cohort", "host_contact", "guest", "guest__user"),
        tandem=made.pk,
    )
    assert found == [first, second]
    assert found[0].tandem.cohort.title == made.cohort.title
    assert found[0].host_contact.email == first.host_contact.email
    assert found[1].host_contact is None
    assert found[1].guest.user.email == second.guest.user.email


def test_objects_refuse_a_path_before_the_one_it_hangs_from():
    from cohorts.models import Participation

    with pytest.raises(ValueError, match="cohort__programme"):
        compiled.objects(
            "test.objects_order",
            lambda cohort: Participation.objects.filter(cohort_id=cohort),
            related=("cohort__programme",),
            cohort=1,
        )


def test_one_or_404_gives_the_one_row_or_404_as_a_scoped_get_would():
    from django.http import Http404

    mine, theirs = CohortFactory(), CohortFactory()

    def build(cohort, programme):
        return Cohort.objects.filter(pk=cohort, programme_id=programme)

    def get(cohort, programme):
        return compiled.one_or_404(
            "test.one", build, related=("programme",), cohort=cohort, programme=programme
        )

    found = get(mine.pk, mine.programme_id)
    assert found == mine and found.programme.name == mine.programme.name
    for cohort, programme in (
        (theirs.pk, mine.programme_id),  # someone else's: as if it did not exist
        (0, mine.programme_id),
        (2**63, mine.programme_id),  # beyond any key's range
        (-(2**63) - 1, mine.programme_id),
        ("1", mine.programme_id),  # only ints are ids
    ):
        with pytest.raises(Http404):
            get(cohort, programme)


def test_objects_read_only_the_columns_only_leaves_and_defer_the_others():
    cohort = CohortFactory(title="Erster Durchgang")

    def build(programme):
        return Cohort.objects.filter(programme_id=programme).only("title")

    (found,) = compiled.objects("test.only", build, programme=cohort.programme_id)
    assert found.get_deferred_fields() == {
        f.attname for f in Cohort._meta.concrete_fields if f.attname not in ("id", "title")
    }
    assert (found.pk, found.title) == (cohort.pk, "Erster Durchgang")
    assert found.start_date == cohort.start_date  # a deferred column is read when asked

    def deferring(programme):
        return Cohort.objects.filter(programme_id=programme).defer("title")

    (found,) = compiled.objects("test.defer", deferring, programme=cohort.programme_id)
    assert found.get_deferred_fields() == {"title"}
    assert found.start_date == cohort.start_date


def test_values_on_answers_for_each_day_and_id_given():
    """`values_on`: the kept SQL takes the day given on each call, as the ids."""
    from datetime import date

    first, second = CohortFactory(), CohortFactory()
    InterestRegistrationFactory.create_batch(2, cohort=first)
    InterestRegistrationFactory(cohort=second)

    def build(cohort, day):
        return (
            Cohort.objects.filter(pk=cohort)
            .annotate(n=Count("registrations", filter=Q(registrations__created_at__date__lt=day)))
            .values("pk", "n")
        )

    for cohort, day, n in (
        (first, date(2999, 1, 1), 2),
        (first, date(2000, 1, 1), 0),
        (second, date(2999, 1, 1), 1),
        (second, date(1999, 1, 1), 0),
    ):
        expected = list(build(cohort.pk, day))
        assert expected == [{"pk": cohort.pk, "n": n}]
        assert compiled.values_on("test.on", build, day, cohort=cohort.pk) == expected


def test_values_on_refuses_a_query_without_the_day():
    from datetime import date

    def build(cohort, day):
        return InterestRegistration.objects.filter(cohort_id=cohort).values("state")

    with pytest.raises(ValueError):
        compiled.values_on("test.on_unused", build, date(2026, 1, 1), cohort=1)


def test_a_moment_beside_the_ids_is_given_as_the_queryset_would_take_it():
    """An aware datetime among the ids (e.g. now) is kept as a marker moment and replaced
    by the moment given, as the id is: each moment answers as its own queryset does."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    cohort = CohortFactory()
    for days in (-30, 0, 30):
        made = InterestRegistrationFactory(cohort=cohort)
        InterestRegistration.objects.filter(pk=made.pk).update(
            confirmed_at=now + timedelta(days=days)
        )
    InterestRegistrationFactory(cohort=CohortFactory())  # another cohort's

    def build(cohort, moment):
        return (
            InterestRegistration.objects.filter(cohort_id=cohort, confirmed_at__gt=moment)
            .values("pk")
            .order_by("pk")
        )

    for moment in (
        now - timedelta(days=60),
        now,
        now - timedelta(microseconds=1),
        now + timedelta(days=60),
        now + timedelta(days=29, hours=23),
    ):
        expected = list(build(cohort.pk, moment))
        found = compiled.values("test.moment", build, cohort=cohort.pk, moment=moment)
        assert found == expected, moment
    assert len(compiled.values("test.moment", build, cohort=cohort.pk, moment=now)) == 1
    # A build that leaves the moment out is refused, as one that leaves out an id.
    with pytest.raises(ValueError):
        compiled.values(
            "test.moment_unused",
            lambda cohort, moment: InterestRegistration.objects.filter(cohort_id=cohort).values(
                "pk"
            ),
            cohort=cohort.pk,
            moment=now,
        )


def test_a_text_beside_the_ids_is_given_as_it_is_and_a_rewritten_one_refused():
    """A text id (a search term) is kept as a marker text where the queryset gives it to
    the database as it is; a lookup that rewrites it (icontains makes a pattern) leaves
    the marker unused, and the query is refused rather than kept wrong."""
    from django.db.models import TextField
    from django.db.models import Value as V
    from django.db.models.functions import StrIndex, Upper
    from django.db.models.lookups import GreaterThan

    cohort = CohortFactory()
    for name in ("Alpha GmbH", "alphabet AG", "Beta 100% e.V.", "Gamma_Delta"):
        InterestRegistrationFactory(cohort=cohort, organisation_name=name)

    def build(cohort, term):
        found = StrIndex(Upper("organisation_name"), Upper(V(term, output_field=TextField())))
        return (
            InterestRegistration.objects.filter(GreaterThan(found, 0), cohort_id=cohort)
            .values("organisation_name")
            .order_by("organisation_name")
        )

    for term in ("alpha", "ALPHA", "%", "_", "a_d", "100%", "zeta", "'", "\\"):
        expected = list(
            InterestRegistration.objects.filter(cohort_id=cohort, organisation_name__icontains=term)
            .values("organisation_name")
            .order_by("organisation_name")
        )
        assert compiled.values("test.text", build, cohort=cohort.pk, term=term) == expected, term
    with pytest.raises(ValueError):
        compiled.values(
            "test.text_rewritten",
            lambda cohort, term: InterestRegistration.objects.filter(
                cohort_id=cohort, organisation_name__icontains=term
            ).values("pk"),
            cohort=cohort.pk,
            term="alpha",
        )


def test_an_id_compared_with_a_big_integer_column_is_kept():
    """A historical record's `id` is a BigIntegerField, not a key: PostgreSQL binding the
    parameters, Django gives its value wrapped (psycopg's Int8), and the kept SQL still
    finds the marker there and answers for each id."""
    from cohorts.models import Participation
    from tests.factories.cohorts import ParticipationFactory

    history = Participation.history.model
    first, second = ParticipationFactory(), ParticipationFactory()
    second.position = "<&\"'>"
    second.save()

    def build(participation):
        return history.objects.filter(id=participation).order_by("-history_date", "-history_id")

    for participation in (first, second, first):
        expected = list(build(participation.pk).values("history_id", "position"))
        kept = compiled.values(
            "test.history",
            lambda **ids: build(**ids).values("history_id", "position"),
            participation=participation.pk,
        )
        assert kept == expected
    assert [row["position"] for row in expected] == [first.position]
    assert (
        compiled.values(
            "test.history",
            lambda **ids: build(**ids).values("history_id", "position"),
            participation=second.pk,
        )[0]["position"]
        == "<&\"'>"
    )
