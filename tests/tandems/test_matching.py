"""The matching: constraints never broken, the assignment optimal (brute force on small
cases), reasons in words, preferences change the result. Timing of 200 × 200 is measured
in `make bench` (bench/jobs.py, job "matching"), never here."""

import itertools

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.models import InterestRegistration
from pioneer.access import SYSTEM
from tandems import matching, services
from tandems.matching import Profile, assign, score_matrix, words
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    external_participation,
)
from tests.factories.core import OrganisationFactory

VOCABULARY = ["klimaschutz", "digitalisierung", "agile", "recht", "daten", "energie"]


def brute_force(scores):
    """The best total over every set of allowed pairs (each person at most once)."""
    n, m = scores.shape
    best = 0.0
    # Each administration-side person takes one external (by index) or nobody (None).
    for choice in itertools.product(*[[None, *range(m)] for _ in range(n)]):
        taken = [j for j in choice if j is not None]
        if len(taken) != len(set(taken)):
            continue
        if any(j is not None and scores.forbidden[i, j] for i, j in enumerate(choice)):
            continue
        total = sum(scores.matrix[i, j] for i, j in enumerate(choice) if j is not None)
        best = max(best, total)
    return best


@st.composite
def cohorts(draw, max_side=4):
    n = draw(st.integers(0, max_side))
    m = draw(st.integers(0, max_side))
    organisations = st.integers(1, 4)
    topic_sets = st.frozensets(st.sampled_from(VOCABULARY), max_size=3)

    def profile(pid):
        return Profile(
            id=pid,
            label=f"P{pid}",
            organisation_id=draw(organisations),
            organisation=f"O{pid}",
            topics=draw(topic_sets),
            expertise=draw(topic_sets),
            timing=draw(st.frozensets(st.sampled_from(["frühjahr", "herbst"]), max_size=1)),
            places_host=draw(st.integers(0, 2)),
            user_id=pid,
        )

    administration = [profile(i) for i in range(1, n + 1)]
    external = [profile(100 + j) for j in range(1, m + 1)]
    pairs = [(a.id, b.id) for a in administration for b in external]
    directed = pairs + [(b, a) for a, b in pairs]
    likes = draw(st.frozensets(st.sampled_from(directed), max_size=4)) if directed else frozenset()
    dislikes = (
        draw(st.frozensets(st.sampled_from(directed), max_size=4)) if directed else frozenset()
    )
    earlier = (
        frozenset(frozenset(p) for p in draw(st.frozensets(st.sampled_from(pairs), max_size=2)))
        if pairs
        else frozenset()
    )
    return administration, external, likes, dislikes, earlier


@settings(max_examples=200)
@given(cohorts())
def test_constraints_never_broken_and_the_assignment_is_optimal(world):
    administration, external, likes, dislikes, earlier = world
    fits = score_matrix(administration, external, likes=likes, dislikes=dislikes, earlier=earlier)
    chosen = assign(fits)
    seen = set()
    for fit in chosen:
        a, b = fit.administration, fit.external
        assert a.organisation_id != b.organisation_id
        assert (a.id, b.id) not in dislikes and (b.id, a.id) not in dislikes
        assert frozenset((a.user_id, b.user_id)) not in earlier
        assert not fit.forbidden
        assert a.id not in seen and b.id not in seen
        seen |= {a.id, b.id}
    if administration and external:
        assert sum(f.score for f in chosen) == pytest.approx(brute_force(fits))
    else:
        assert chosen == []
    # The fast matrix and the pair in words agree on every pair.
    for i, a in enumerate(administration):
        for j, b in enumerate(external):
            fit = matching.score_pair(a, b, likes=likes, dislikes=dislikes, earlier=earlier)
            assert fit.forbidden == fits.forbidden[i, j]
            assert fit.score == fits.matrix[i, j]
            assert fit.forbidden or fit.score == matching.BASE + sum(r.points for r in fit.reasons)


def test_every_allowed_score_has_reasons_in_words():
    a = Profile(1, "Anna", 1, "MLUK", words("Klimaschutz, Förderprogramme"), words("Recht"))
    b = Profile(
        2, "Ben", 2, "Partner", words("Klimaschutz"), words("Förderprogramme"), places_host=2
    )
    fit = score_matrix([a], [b], likes={(2, 1)}).fit(0, 0)
    texts = fit.reason_texts
    with translation.override("en"):
        texts = fit.reason_texts
        assert "Both work on klimaschutz." in texts
        assert "Ben would like to be paired with Anna." in texts
        assert "Partner offers 2 places to host." in texts
        assert any("Ben brings förderprogramme" in t for t in texts)
    assert fit.score == sum(r.points for r in fit.reasons) + matching.BASE
    forbidden = score_matrix([a], [Profile(3, "Cem", 1, "MLUK")]).fit(0, 0)
    assert forbidden.forbidden
    with translation.override("en"):
        assert forbidden.reason_texts == ["Both work for MLUK."]


def test_preferences_change_the_result():
    a1 = Profile(1, "A1", 1, topics=words("daten"))
    a2 = Profile(2, "A2", 2, topics=words("energie"))
    b1 = Profile(11, "B1", 3, topics=words("daten"))
    b2 = Profile(12, "B2", 4, topics=words("energie"))
    pairs = {(f.administration.id, f.external.id) for f in assign(score_matrix([a1, a2], [b1, b2]))}
    assert pairs == {(1, 11), (2, 12)}
    # A1 and B2 would both like each other: that outweighs one shared topic on each side.
    likes = {(1, 12), (12, 1)}
    fits = score_matrix([a1, a2], [b1, b2], likes=likes)
    pairs = {(f.administration.id, f.external.id) for f in assign(fits)}
    assert pairs == {(1, 12), (2, 11)}
    # A dislike excludes a pair even when it would fit best.
    fits = score_matrix([a1, a2], [b1, b2], dislikes={(11, 1)})
    pairs = {(f.administration.id, f.external.id) for f in assign(fits)}
    assert (1, 11) not in pairs


def test_suggestions_are_the_best_allowed_partners_in_order():
    a1 = Profile(1, "A1", 1, topics=words("daten, energie"))
    b1 = Profile(11, "B1", 3, topics=words("daten"))
    b2 = Profile(12, "B2", 4, topics=words("daten, energie"))
    b3 = Profile(13, "B3", 1, topics=words("daten, energie, recht"))
    found = matching.suggestions(score_matrix([a1], [b1, b2, b3]))
    assert [f.external.id for f in found[1]] == [12, 11]
    assert [f.administration.id for f in found[11]] == [1]
    assert found[13] == []


def test_nobody_is_paired_when_every_pair_is_forbidden():
    a = Profile(1, "A", 1)
    b = Profile(2, "B", 1)
    assert assign(score_matrix([a], [b])) == []


def test_topics_are_the_terms_of_a_list():
    assert words("Agile  Methoden und Nutzerzentrierung, UX; Open Data\nKlimaschutz") == {
        "agile methoden",
        "nutzerzentrierung",
        "open data",
        "klimaschutz",
    }
    assert words("") == frozenset()


@pytest.mark.django_db
def test_cohort_matching_reads_the_cohort_in_a_fixed_number_of_queries(django_assert_num_queries):
    cohort = CohortFactory(state="matching")
    ministry = cohort.programme.organisation
    administration = [
        ParticipationFactory(cohort=cohort, topics="Klimaschutz, Daten") for _ in range(3)
    ]
    company = OrganisationFactory(kind="company", name="Daten GmbH", short_name="DatenCo")
    externals = [
        external_participation(cohort, topics="Daten", expertise="Klimaschutz"),
        external_participation(cohort, organisation=company, topics="Energie"),
    ]
    InterestRegistrationFactory(
        cohort=cohort,
        organisation=company,
        state=InterestRegistration.State.ACCEPTED,
        places_host=2,
        topics_offered="Daten",
    )
    # Already paired: not in the matching.
    services.tandem_create(first=administration[2], second=externals[0], by=SYSTEM)
    with django_assert_num_queries(4):
        result = matching.cohort_matching(cohort)
    assert len(result.administration) == 2 and len(result.external) == 1
    assert len(result.assignment) == 1
    best = result.assignment[0]
    with translation.override("en"):
        assert "DatenCo offers 2 places to host." in best.reason_texts
    assert ministry.pk != company.pk


@pytest.mark.django_db
def test_earlier_pairings_are_avoided():
    earlier = CohortFactory()
    administration = ParticipationFactory(cohort=earlier)
    external = external_participation(earlier)
    services.tandem_create(first=administration, second=external, by=SYSTEM)
    cohort = CohortFactory(programme=earlier.programme, state="matching")
    again_a = ParticipationFactory(cohort=cohort, user=administration.user, role=False)
    again_b = external_participation(
        cohort, organisation=external.organisation, user=external.user, role=False
    )
    result = matching.cohort_matching(cohort)
    fit = result.fits.fit(0, 0)
    assert fit.forbidden
    assert (fit.administration.id, fit.external.id) == (again_a.pk, again_b.pk)
    assert result.assignment == []


@pytest.mark.django_db
def test_people_paired_in_an_earlier_cohort_are_never_paired_again():
    """Read from the database: the tandems of other cohorts of the cohort's people, on
    either side (the query finds each side through the people's participations)."""
    earlier = CohortFactory()
    first = ParticipationFactory(cohort=earlier)
    second = external_participation(earlier)
    services.tandem_create(first=first, second=second, by=SYSTEM)
    # The same two people, the other way round, and someone new, in the next cohort.
    cohort = CohortFactory(programme=earlier.programme)
    again_first = external_participation(cohort, user=first.user, role=False)
    again_second = ParticipationFactory(cohort=cohort, user=second.user, role=False)
    newcomer = external_participation(cohort)
    result = matching.cohort_matching(cohort)
    fits = {
        (fit.administration.id, fit.external.id): fit
        for fits in result.suggestions.values()
        for fit in fits
    }
    assert (again_second.pk, again_first.pk) not in fits
    assert (again_second.pk, newcomer.pk) in fits
    pairs = {frozenset(pair) for pair in matching._earlier_pairs(cohort, [first.user_id])}
    assert pairs == {frozenset((first.user_id, second.user_id))}
    assert not set(matching._earlier_pairs(earlier, [first.user_id, second.user_id]))


@pytest.mark.django_db
def test_the_people_read_by_sql_are_the_ones_the_orm_reads():
    """`matching._people` reads a cohort's people as rows in one written query: the same
    people, columns and order as the ORM's `unmatched` with user and organisation (the
    withdrawn, those in a live tandem and other cohorts' people left out; an ended tandem
    frees its people; names missing, equal or in another case), and with `ids` the given
    people of the cohort, matched or not. `visible_profiles` makes the profiles
    `cohort_matching` makes."""
    from cohorts.models import Participation
    from tandems.models import MatchPreference
    from tests.factories.core import UserFactory

    cohort = CohortFactory(state="matching")
    other = CohortFactory(programme=cohort.programme)
    company = OrganisationFactory(kind="company", name="Daten GmbH", short_name="")
    people = [
        ParticipationFactory(
            cohort=cohort, user=UserFactory(name=name, email=email), topics="Daten, Recht"
        )
        for name, email in (
            ("Berta", "z@pioneer.example"),
            ("anton", "a@pioneer.example"),
            ("", "e@pioneer.example"),
            ("Berta", "b@pioneer.example"),  # the same name: the address orders them
            ("Çelik", "c@pioneer.example"),
        )
    ]
    people += [
        external_participation(cohort, organisation=company, expertise="Daten und Energie"),
        external_participation(cohort, user=UserFactory(name="")),
        external_participation(cohort),
        external_participation(cohort),
    ]
    ParticipationFactory(cohort=other)
    people[1].state = Participation.State.WITHDRAWN
    people[1].withdrawn_reason = "Umzug"
    people[1].save()
    services.tandem_create(first=people[4], second=people[5], by=SYSTEM)
    ended = services.tandem_create(first=people[2], second=people[6], by=SYSTEM)
    services.tandem_end_early(tandem=ended, reason="Konflikt", by=SYSTEM)
    InterestRegistrationFactory(
        cohort=cohort,
        organisation=company,
        state=InterestRegistration.State.ACCEPTED,
        topics_sought="Klimaschutz",
        places_host=2,
    )

    def row(p):
        user, organisation = p.user, p.organisation
        return (p.pk, p.side, p.organisation_id, p.user_id, p.topics, p.expertise) + (
            user.name, user.email, organisation.short_name, organisation.name
        )  # fmt: skip

    orm = list(
        matching.unmatched(cohort)
        .select_related("user", "organisation")
        .order_by("side", "user__name", "user__email", "pk")
    )
    assert len(orm) == 6
    assert [tuple(r) for r in matching.unmatched_people(cohort)] == [row(p) for p in orm]
    assert [tuple(r) for r in matching.unmatched_people(cohort, limit=3)] == [
        row(p) for p in orm[:3]
    ]
    chosen = {people[4].pk, people[1].pk, people[5].pk, people[7].pk}
    by_id = sorted(tuple(r) for r in matching._people(cohort, ids=chosen))
    assert by_id == sorted(row(p) for p in Participation.objects.filter(pk__in=chosen))
    assert matching._people(cohort, ids=[]) == []
    assert not matching._people(other, ids=chosen)

    for source, target, kind in ((3, 7, "like"), (7, 4, "like"), (8, 3, "dislike")):
        MatchPreference.objects.create(
            participation=people[source], other=people[target], kind=kind
        )
    result = matching.cohort_matching(cohort)
    everyone = {p.id: p for p in (*result.administration, *result.external)}
    shown = {people[3].pk, people[7].pk, people[8].pk, people[6].pk}
    profiles, likes = matching.visible_profiles(cohort, shown)
    assert profiles == {pid: everyone[pid] for pid in shown}
    assert likes == {(people[3].pk, people[7].pk)}
    assert profiles[people[6].pk].label == people[6].user.email  # no name: the address
    # A matched person of an organisation with an accepted registration, without a short
    # name: read by id all the same, with what the registration offers and seeks.
    (company_profile,) = matching.visible_profiles(cohort, {people[5].pk})[0].values()
    assert company_profile.organisation == "Daten GmbH"
    assert company_profile.places_host == 2
    assert company_profile.topics == {"klimaschutz"}
    assert company_profile.expertise == {"daten", "energie"}
