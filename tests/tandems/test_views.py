"""The tandems pages: who gets what (tests/access.py), flat queries (tests/queries.py),
German and English, and what each page does."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from cohorts.models import Cohort, Programme
from pioneer.access import SYSTEM
from tandems.models import MatchPreference, Tandem
from tests.access import assert_access
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user, participant_user, partner_user
from tests.factories.tandems import pair, tandem
from tests.pages import without_csrf
from tests.queries import BUDGET, assert_flat_queries

pytestmark = pytest.mark.django_db


def _client(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def world():
    cohort = CohortFactory(state=Cohort.State.MATCHING)
    office = office_user(cohort.programme.organisation)
    t = tandem(cohort)
    free_a, free_b = pair(cohort)
    return {
        "cohort": cohort,
        "office": office,
        "tandem": t,
        "free": (free_a, free_b),
        "stranger": office_user(),
        "partner": partner_user(OrganisationFactory(kind="company")),
        "participant": t.administration.user,
    }


def _office_urls(w):
    c, t = w["cohort"].pk, w["tandem"].pk
    return [
        ("get", reverse("tandems:board", args=[c]), None, 200),
        ("get", reverse("tandems:detail", args=[c, t]), None, 200),
        ("get", reverse("tandems:end", args=[c, t]), None, 200),
        ("get", reverse("tandems:dates", args=[c, t]), None, 200),
        ("get", reverse("tandems:matching", args=[c]), None, 200),
        ("post", reverse("tandems:swap", args=[c, t]), {}, 302),
        ("post", reverse("tandems:pair", args=[c]), {}, 400),
        ("post", reverse("tandems:end", args=[c, t]), {"reason": ""}, 400),
        (
            "post",
            reverse("tandems:milestone_done", args=[c, t, w["tandem"].milestones.first().pk]),
            {"done": "1"},
            302,
        ),
    ]


def test_office_pages_access(world):
    for method, url, data, status in _office_urls(world):
        assert_access(
            url,
            method=method,
            data=data,
            owner=world["office"],
            owner_status=status,
            stranger=world["stranger"],
            foreign_partner=world["partner"],
            foreign_partner_status=403,
            wrong_role=world["participant"],
        )


def test_a_journey_has_no_tandem_pages(world):
    journey = CohortFactory(
        programme=ProgrammeFactory(
            organisation=world["cohort"].programme.organisation, format=Programme.Format.JOURNEY
        )
    )
    client = _client(world["office"])
    assert client.get(reverse("tandems:board", args=[journey.pk])).status_code == 404
    assert client.get(reverse("tandems:matching", args=[journey.pk])).status_code == 404


def test_participant_pages_access(world):
    t = world["tandem"]
    other = participant_user()
    assert_access(
        reverse("tandems:confirm", args=[t.pk]),
        method="post",
        owner=t.external.user,
        owner_status=302,
        stranger=other,
        wrong_role=world["office"],
    )
    assert_access(
        reverse("tandems:preferences", args=[world["cohort"].pk]),
        owner=world["free"][0].user,
        stranger=other,
        wrong_role=world["office"],
    )
    assert_access(reverse("tandems:mine"), owner=t.external.user, wrong_role=world["office"])


def test_the_tab_is_on_the_cohort_page_in_both_languages(world):
    for language, words in (("en", ("Tandems", "Matching")), ("de", ("Tandems", "Tandembildung"))):
        response = _client(world["office"], language).get(
            reverse("cohorts:cohort_detail", args=[world["cohort"].pk])
        )
        html = response.content.decode()
        assert reverse("tandems:board", args=[world["cohort"].pk]) in html
        assert all(word in html for word in words)


def test_board_shows_and_filters(world):
    client = _client(world["office"])
    url = reverse("tandems:board", args=[world["cohort"].pk])
    html = client.get(url).content.decode()
    assert str(world["tandem"].administration.user) in html
    assert "Proposed" in html
    html = client.get(url, {"state": "agreed"}).content.decode()
    assert "0 tandems" in html
    assert _client(world["office"], "de").get(url).status_code == 200


def test_board_queries_are_flat(world):
    cohort = world["cohort"]

    def make_rows(count):
        for _ in range(count):
            tandem(cohort)

    assert_flat_queries(
        _client(world["office"]), reverse("tandems:board", args=[cohort.pk]), make_rows
    )


def test_matching_page_queries_are_flat(world):
    cohort = world["cohort"]

    def make_rows(count):
        for _ in range(count):
            pair(cohort, topics="Klimaschutz")

    assert_flat_queries(
        _client(world["office"]),
        reverse("tandems:matching", args=[cohort.pk]),
        make_rows,
        budget=_matching_budget(),
    )


def _matching_budget():
    """PostgreSQL's: the fingerprint is one query. On SQLite (`make test` without
    DATABASE_URL) it reads its five inputs through the ORM (`_fingerprint_portable`)."""
    from django.db import connection

    return BUDGET if connection.vendor == "postgresql" else BUDGET + 4


def test_preferences_page_queries_are_flat(world):
    cohort = world["cohort"]

    def make_rows(count):
        for _ in range(count):
            pair(cohort, topics="Daten")

    assert_flat_queries(
        _client(world["free"][0].user),
        reverse("tandems:preferences", args=[cohort.pk]),
        make_rows,
    )


def test_my_tandem_page_queries(world, django_assert_max_num_queries):
    client = _client(world["tandem"].external.user)
    client.get(reverse("tandems:mine"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("tandems:mine")).status_code == 200


def test_matching_accepts_part_of_the_assignment(world):
    cohort = world["cohort"]
    a2, b2 = pair(cohort)
    client = _client(world["office"])
    url = reverse("tandems:matching", args=[cohort.pk])
    html = client.get(url).content.decode()
    assert "The best assignment for the whole cohort" in html
    a1, b1 = world["free"]
    chosen = [v for v in (f"{a1.pk}-{b1.pk}", f"{a1.pk}-{b2.pk}") if v in html][0]
    response = client.post(url, {"pairs": [chosen]})
    assert response.status_code == 302
    assert Tandem.objects.filter(cohort=cohort, state="proposed").count() == 2
    # A pair no longer in the assignment is refused, nothing changes.
    response = client.post(url, {"pairs": [chosen]})
    assert response.status_code == 400
    assert "changed meanwhile" in response.content.decode()
    assert Tandem.objects.filter(cohort=cohort).count() == 2


def test_matching_in_german(world):
    html = _client(world["office"], "de").get(
        reverse("tandems:matching", args=[world["cohort"].pk])
    )
    assert html.status_code == 200


def test_pair_by_hand(world):
    a, b = world["free"]
    client = _client(world["office"])
    url = reverse("tandems:pair", args=[world["cohort"].pk])
    response = client.post(
        url, {"administration": a.pk, "external": b.pk, "topic": "Daten", "external_first": "on"}
    )
    assert response.status_code == 302
    t = Tandem.objects.get(administration=a)
    assert t.topic == "Daten"
    assert t.phases.get(number=1).guest == b
    # Someone already paired is no choice any more.
    response = client.post(url, {"administration": a.pk, "external": b.pk})
    assert response.status_code == 400


def test_end_early_with_a_confirmation_step(world):
    t = world["tandem"]
    client = _client(world["office"])
    url = reverse("tandems:end", args=[world["cohort"].pk, t.pk])
    assert "cannot be undone" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    t.refresh_from_db()
    assert t.state == "proposed"
    assert client.post(url, {"reason": "Stellenwechsel"}).status_code == 302
    t.refresh_from_db()
    assert (t.state, t.ended_reason) == ("ended_early", "Stellenwechsel")


def test_edit_dates_shows_the_rules(world):
    t = world["tandem"]
    client = _client(world["office"])
    url = reverse("tandems:dates", args=[world["cohort"].pk, t.pk])
    response = client.post(
        url,
        {
            "first_start": "2023-04-01",
            "first_end": "2023-07-10",
            "second_start": "2023-07-01",
            "second_end": "2023-09-30",
        },
    )
    assert response.status_code == 400
    assert "may not overlap" in response.content.decode()
    response = client.post(
        url,
        {
            "first_start": "2023-04-03",
            "first_end": "2023-06-30",
            "second_start": "2023-07-03",
            "second_end": "2023-09-29",
        },
    )
    assert response.status_code == 302
    assert t.phases.get(number=1).start == date(2023, 4, 3)


def test_milestones_are_marked_done_and_open_again(world):
    t = world["tandem"]
    milestone = t.milestones.get(kind="kick_off")
    client = _client(world["office"])
    url = reverse("tandems:milestone_done", args=[world["cohort"].pk, t.pk, milestone.pk])
    client.post(url, {"done": "1"})
    milestone.refresh_from_db()
    assert milestone.done_at is not None
    client.post(url, {"done": "0"})
    milestone.refresh_from_db()
    assert milestone.done_at is None
    # Another tandem's milestone through this tandem's address: 404.
    other = tandem(world["cohort"]).milestones.first()
    url = reverse("tandems:milestone_done", args=[world["cohort"].pk, t.pk, other.pk])
    assert client.post(url, {"done": "1"}).status_code == 404


def test_participants_confirm_their_own_tandem(world):
    t = world["tandem"]
    for user in (t.administration.user, t.external.user):
        client = _client(user)
        html = client.get(reverse("tandems:mine")).content.decode()
        assert "Confirm the tandem" in html
        assert client.post(reverse("tandems:confirm", args=[t.pk])).status_code == 302
    t.refresh_from_db()
    assert t.state == "agreed"
    # Confirmed: the rule says no (403), nothing changes.
    assert _client(t.external.user).post(reverse("tandems:confirm", args=[t.pk])).status_code == 403
    html = _client(t.external.user, "de").get(reverse("tandems:mine")).content.decode()
    assert str(t.administration.user) in html


def test_preferences_from_anonymised_profiles(world):
    a, b = world["free"]
    client = _client(a.user)
    url = reverse("tandems:preferences", args=[world["cohort"].pk])
    html = client.get(url).content.decode()
    assert "Profile 1" in html
    assert str(b.user) not in html and b.organisation.name not in html
    assert str(world["tandem"].external.user) not in html  # paired already: not listed
    response = client.post(url, {f"p{b.pk}": "dislike"})
    assert response.status_code == 302
    assert MatchPreference.objects.get(participation=a, other=b).kind == "dislike"
    # The exclusion holds in the matching.
    from tandems.matching import cohort_matching

    assert not cohort_matching(world["cohort"]).assignment
    assert _client(a.user, "de").get(url).status_code == 200


def test_no_preferences_once_the_cohort_runs(world):
    cohort = world["cohort"]
    Cohort.objects.filter(pk=cohort.pk).update(state=Cohort.State.RUNNING)
    url = reverse("tandems:preferences", args=[cohort.pk])
    assert _client(world["free"][0].user).get(url).status_code == 403


def test_profiles_escape_the_persons_words(world):
    a, b = world["free"]
    b.topics = "<script>alert(1)</script>"
    b.save()
    html = _client(a.user).get(reverse("tandems:preferences", args=[world["cohort"].pk]))
    assert "<script>alert(1)" not in html.content.decode()


def test_withdrawn_partner_ends_the_tandem_on_the_board(world):
    t = world["tandem"]
    from cohorts.services import participation_set_state

    participation_set_state(participation=t.external, state="withdrawn", reason="Umzug", by=SYSTEM)
    html = _client(world["office"]).get(
        reverse("tandems:board", args=[world["cohort"].pk]), {"state": "ended_early"}
    )
    assert "Umzug" in html.content.decode()


# --- the matching of a large cohort: computed once per state of its inputs ----------------


def _matching_jobs(cohort):
    from pioneer.models import Job

    return Job.objects.filter(kind="tandems.matching", object_id=cohort.pk)


@pytest.fixture
def large(monkeypatch):
    """Every cohort counts as large: its outcome is computed by a job and stored."""
    from tandems import matching

    monkeypatch.setattr(matching, "INLINE_LIMIT", 0)


@pytest.fixture
def visit(django_capture_on_commit_callbacks):
    """A visit whose jobs run (as they do without a broker: on commit, which a test's
    transaction never reaches by itself); returns the page's HTML."""

    def get(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            client.get(url, data)
        return client.get(url, data).content.decode()

    return get


@pytest.mark.parametrize("way", ["database", "portable"])
def test_the_fingerprint_changes_with_every_input(world, way):
    """In PostgreSQL's one query, and read through the ORM as on SQLite (`make run`)."""
    from tandems import matching, services
    from tests.factories.cohorts import ParticipationFactory

    fingerprint = matching.fingerprint if way == "database" else matching._fingerprint_portable
    cohort = world["cohort"]
    a, b = world["free"]
    digest, count = fingerprint(cohort)
    assert count == 2
    assert fingerprint(cohort) == (digest, count)  # stable while nothing changes
    steps = [
        lambda: MatchPreference.objects.create(participation=a, other=b, kind="like"),
        lambda: MatchPreference.objects.filter(participation=a).update(kind="dislike"),
        lambda: ParticipationFactory(cohort=cohort),
        lambda: type(a).objects.filter(pk=a.pk).update(topics="Energie"),
        # A tandem of two of its unmatched people (one of two people who came paired
        # already changes nothing the outcome is made from).
        lambda: services.tandem_create(first=a, second=b, by=SYSTEM),
    ]
    seen = {digest}
    for step in steps:
        step()
        digest, _count = fingerprint(cohort)
        assert digest not in seen
        seen.add(digest)
    assert fingerprint(cohort)[1] == matching.fingerprint(cohort)[1]
    # Another cohort's change is none of this cohort's business.
    pair(CohortFactory(state=Cohort.State.MATCHING))
    assert fingerprint(cohort)[0] == digest


def test_the_kept_fingerprint_is_read_from_the_cache_until_an_input_is_saved(
    world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The page's fingerprint (matching.current_fingerprint) is kept under cohorts.figures'
    change token: a second visit reads no SQL for it, and every save or delete of an input
    (through the services and the models, as the product writes them) gives the new one."""
    from cohorts.models import InterestRegistration
    from tandems import matching, services
    from tests.factories.cohorts import InterestRegistrationFactory, ParticipationFactory

    cohort = world["cohort"]
    a, b = world["free"]
    kept = matching.current_fingerprint(cohort)
    assert kept == matching.fingerprint(cohort)
    with django_assert_num_queries(0):
        assert matching.current_fingerprint(cohort) == kept

    def renamed():
        a.user.name = "Ada Neu"
        a.user.save()

    def topics():
        b.topics = "Energie"
        b.save()

    registration = InterestRegistrationFactory(cohort=cohort)

    def accepted():
        registration.state = InterestRegistration.State.ACCEPTED
        registration.save()

    steps = [
        lambda: MatchPreference.objects.create(participation=a, other=b, kind="like"),
        lambda: MatchPreference.objects.filter(participation=a).delete(),
        renamed,
        topics,
        lambda: ParticipationFactory(cohort=cohort),
        accepted,
        lambda: services.tandem_create(first=a, second=b, by=SYSTEM),
        lambda: services.tandem_end_early(
            tandem=Tandem.objects.get(administration=a), reason="Umzug", by=SYSTEM
        ),
    ]
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            step()
        fresh = matching.fingerprint(cohort)
        assert fresh != kept
        assert matching.current_fingerprint(cohort) == fresh
        kept = fresh


def test_that_a_cohort_has_no_matching_job_is_kept_until_the_page_starts_one(
    world, large, visit, django_assert_num_queries
):
    from tandems import matching

    cohort = world["cohort"]
    assert matching.latest_job_kept(cohort) is None
    with django_assert_num_queries(0):
        assert matching.latest_job_kept(cohort) is None
    visit(_client(world["office"]), reverse("tandems:matching", args=[cohort.pk]))
    job = matching.latest_job(cohort)
    assert job is not None and job.state == "done"
    assert matching.latest_job_kept(cohort) == job
    with django_assert_num_queries(1):  # a cohort with a job reads it every time
        assert matching.latest_job_kept(cohort) == job


def test_a_large_cohorts_matching_is_stored_and_made_stale_by_a_change(
    world, large, visit, django_capture_on_commit_callbacks
):
    from tests.factories.cohorts import ParticipationFactory

    cohort = world["cohort"]
    a, b = world["free"]
    client = _client(world["office"])
    url = reverse("tandems:matching", args=[cohort.pk])
    html = visit(client, url)
    assert f"{a.pk}-{b.pk}" in html
    assert _matching_jobs(cohort).count() == 1
    assert _matching_jobs(cohort).get().state == "done"
    client.get(url)
    assert _matching_jobs(cohort).count() == 1  # read, not computed again
    # A new preference makes the stored outcome stale: the next visit computes it again.
    MatchPreference.objects.create(participation=a, other=b, kind="dislike")
    with django_capture_on_commit_callbacks(execute=True):  # its job runs after the page
        assert "being computed" in client.get(url).content.decode()
    assert _matching_jobs(cohort).count() == 2
    html = visit(client, url)
    assert f"{a.pk}-{b.pk}" not in html  # the exclusion holds
    # So does a new participant; the newest job holds the outcome of the present state.
    from tandems import matching

    before = _matching_jobs(cohort).count()
    ParticipationFactory(cohort=cohort)
    visit(client, url)
    assert _matching_jobs(cohort).count() == before + 1
    newest = _matching_jobs(cohort).order_by("-created_at", "-pk").first()
    assert newest.state == "done"
    assert newest.summary["fingerprint"] == matching.fingerprint(cohort)[0]


def test_while_the_outcome_is_computed_the_page_says_so_and_accepts_nothing(world, large):
    from pioneer.models import Job
    from tandems import matching

    cohort = world["cohort"]
    a, b = world["free"]
    digest, _count = matching.fingerprint(cohort)
    Job.objects.create(
        kind=matching.JOB_KIND,
        requested_by=world["office"],
        content_type=ContentType.objects.get_for_model(Cohort),
        object_id=cohort.pk,
        state=Job.State.RUNNING,
        payload={"fingerprint": digest},
    )
    client = _client(world["office"])
    url = reverse("tandems:matching", args=[cohort.pk])
    html = client.get(url).content.decode()
    assert "being computed" in html
    assert 'hx-trigger="every 2s"' in html
    response = client.post(url, {"pairs": [f"{a.pk}-{b.pk}"]})
    assert response.status_code == 400
    assert not Tandem.objects.filter(administration=a).exists()


def test_a_large_cohorts_matching_page_queries_are_flat(world, large, visit):
    cohort = world["cohort"]
    client = _client(world["office"])
    url = reverse("tandems:matching", args=[cohort.pk])

    def make_rows(count):
        for _ in range(count):
            pair(cohort, topics="Klimaschutz")
        assert "being computed" not in visit(client, url)  # the stored outcome is read

    assert_flat_queries(client, url, make_rows, budget=_matching_budget())


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_matching_page_shows_a_bounded_number_of_rows(world, size, monkeypatch, visit):
    from tandems import matching
    from tandems.views import PAGE_SIZE

    if size == "large":
        monkeypatch.setattr(matching, "INLINE_LIMIT", 0)
    cohort = world["cohort"]
    for _ in range(PAGE_SIZE + 5):
        pair(cohort, topics="Klimaschutz")
    client = _client(world["office"])
    url = reverse("tandems:matching", args=[cohort.pk])
    html = visit(client, url)
    assert html.count('name="pairs"') == PAGE_SIZE
    assert html.count("<details>") == PAGE_SIZE
    # The world's free pair and these: as many pairs in the assignment, twice as many
    # people; the last pages show the rest.
    pairs, people = PAGE_SIZE + 6, 2 * (PAGE_SIZE + 6)
    last_pairs, last_people = -(-pairs // PAGE_SIZE), -(-people // PAGE_SIZE)
    html = client.get(url, {"page": last_pairs, "people": last_people}).content.decode()
    assert html.count('name="pairs"') == pairs - (last_pairs - 1) * PAGE_SIZE
    assert html.count("<details>") == people - (last_people - 1) * PAGE_SIZE


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_matching_pages_kept_parts_follow_every_change_they_show(
    world, size, monkeypatch, visit
):
    """A page's rows, suggestions and hand-pairing lists are kept (a small cohort's
    matching too): a second visit neither matches nor scores again, and a new name of a
    person or of an organisation, or a new preference, shows on the next visit."""
    from tandems import matching

    if size == "large":
        monkeypatch.setattr(matching, "INLINE_LIMIT", 0)
    cohort = world["cohort"]
    a, b = world["free"]
    client = _client(world["office"])
    url = reverse("tandems:matching", args=[cohort.pk])
    first = visit(client, url)
    assert f"{a.pk}-{b.pk}" in first
    calls = []
    for name in ("cohort_matching", "score_pair", "visible_profiles"):
        original = getattr(matching, name)
        monkeypatch.setattr(
            matching,
            name,
            lambda *args, _f=original, _n=name, **kw: calls.append(_n) or _f(*args, **kw),
        )
    assert without_csrf(client.get(url).content.decode()) == without_csrf(first)
    assert calls == []  # kept: nothing matched, read or scored again
    a.user.name = 'Zora <Neu> & "Co"'
    a.user.save()
    b.organisation.short_name = ""
    b.organisation.name = "Amt für <Daten> & Co"
    b.organisation.save()
    html = visit(client, url)
    assert "Zora &lt;Neu&gt; &amp; &quot;Co&quot;" in html
    assert "Amt für &lt;Daten&gt; &amp; Co" in html
    assert calls  # made again for the new state
    MatchPreference.objects.create(participation=a, other=b, kind="dislike")
    assert f"{a.pk}-{b.pk}" not in visit(client, url)


def test_pair_by_hand_in_a_large_cohort(world, large, visit):
    a, b = world["free"]
    client = _client(world["office"])
    visit(client, reverse("tandems:matching", args=[world["cohort"].pk]))
    url = reverse("tandems:pair", args=[world["cohort"].pk])
    response = client.post(url, {"administration": a.pk, "external": "x"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Tandem.objects.filter(administration=a).exists()
    response = client.post(url, {"administration": a.pk, "external": b.pk})
    assert response.status_code == 302
    assert Tandem.objects.filter(administration=a, external=b).exists()


def test_the_board_shows_a_page_of_tandems(world):
    from tandems.views import BOARD_PAGE_SIZE

    cohort = world["cohort"]
    for _ in range(BOARD_PAGE_SIZE):
        tandem(cohort)
    client = _client(world["office"])
    url = reverse("tandems:board", args=[cohort.pk])
    row = '<tr class="kern-table__row">'
    html = client.get(url).content.decode()
    assert f"{BOARD_PAGE_SIZE + 1} tandems" in html
    # The counts' two rows, the board's head, and its rows.
    assert html.count(row) == 3 + BOARD_PAGE_SIZE
    assert client.get(url, {"page": 2}).content.decode().count(row) == 3 + 1


def test_all_pairs_of_a_paged_assignment_are_accepted_at_once(world, large, visit):
    from tandems.views import PAGE_SIZE

    cohort = world["cohort"]
    for _ in range(PAGE_SIZE + 2):
        pair(cohort, topics="Klimaschutz")
    client = _client(world["office"])
    url = reverse("tandems:matching", args=[cohort.pk])
    html = visit(client, url)
    proposed = Tandem.objects.filter(cohort=cohort, state="proposed")
    before = proposed.count()
    count = PAGE_SIZE + 3  # the world's free pair and these
    assert f'name="all" value="{count}"' in html
    # A count that is no longer the assignment's (it changed meanwhile): nothing is done.
    response = client.post(url, {"all": str(count + 1)})
    assert response.status_code == 400 and "changed meanwhile" in response.content.decode()
    assert proposed.count() == before
    response = client.post(url, {"all": str(count)})
    assert response.status_code == 302
    assert proposed.count() == before + count


def test_a_small_cohort_and_a_large_ones_stored_outcome_cost_one_query_apart(
    world, monkeypatch, visit
):
    """A small cohort is matched in the request and its outcome kept (as is that it has
    no job); a large one's outcome is read from its job with the kept fingerprint (which
    gives the count): the page asks one query more (the job) for a large cohort."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cohorts import figures
    from tandems import matching

    cohort = world["cohort"]
    for _ in range(3):
        pair(cohort, topics="Klimaschutz")
    client = _client(world["office"])
    url = reverse("tandems:matching", args=[cohort.pk])

    def queries(warm=True):
        if warm:
            client.get(url)  # warm the per-process caches and the kept fingerprint
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = queries()
    assert not matching.latest_job(cohort)  # matched in the request, no job
    monkeypatch.setattr(matching, "INLINE_LIMIT", 0)
    assert "being computed" not in visit(client, url)  # the job ran and stored it
    large = queries()
    assert matching.latest_job(cohort).state == "done"
    # The fingerprint (of a large cohort), that a cohort has no job (a small one) and the
    # page's people are kept under cohorts.figures' change token: a visit after a change
    # reads the fingerprint (one query; the portable fingerprint's five reads on SQLite)
    # and the profiles of the people shown (three), the next ones don't.
    assert large == small + 1
    figures.changed()
    extra = 0 if connection.vendor == "postgresql" else 4
    assert queries(warm=False) == large + 1 + 3 + extra
    assert queries(warm=False) == large
