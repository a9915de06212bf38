"""The review queue and a cohort's registrations tab: their count without a filter (or
filtered by one cohort alone) is a kept one (cohorts.figures), equal to the query's and
changed by every write; what needs action, sorted by state, comes in the order of the
states' rank when sorted by the state itself (what the waiting index walks)."""

from datetime import timedelta
from itertools import cycle

import pytest
from django.utils import timezone

from cohorts import selectors
from cohorts.models import InterestRegistration
from cohorts.services.registrations import registration_expire_stale
from cohorts.views.lists import REGISTRATION_PAGE_SIZE
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user

pytestmark = pytest.mark.django_db

State = InterestRegistration.State


@pytest.fixture
def world(client):
    ministry = OrganisationFactory(name="Ministerium")
    first = CohortFactory(programme=ProgrammeFactory(organisation=ministry))
    second = CohortFactory(programme=ProgrammeFactory(organisation=ministry))
    elsewhere = CohortFactory()  # another office's: never counted
    states = cycle(State.values)
    created = timezone.now() - timedelta(days=30)
    for index in range(150):
        registration = InterestRegistrationFactory(
            cohort=[first, second, elsewhere][index % 3], state=next(states)
        )
        # Pairs received at the same moment: the id decides between them.
        InterestRegistration.objects.filter(pk=registration.pk).update(
            created_at=created + timedelta(hours=index // 2)
        )
    client.force_login(office_user(org=ministry))
    return {"first": first, "second": second, "cohorts": [first, second]}


def _pages(client, url, query):
    """Every row of every page (ids), and the count the page gives."""
    ids, number, count = [], 1, None
    while True:
        response = client.get(url, {**query, "page": number})
        assert response.status_code == 200
        page = response.context["page"]
        count = page.paginator.count
        ids += [row.pk for row in page.object_list]
        if not page.has_next():
            return ids, count
        number += 1


def _expected(cohorts, query):
    rows = InterestRegistration.objects.filter(cohort__in=cohorts)
    if query.get("state"):
        rows = rows.filter(state=query["state"])
    if query.get("show") != "all":
        rows = selectors.registrations_needing_action(rows)
    rank = selectors.REGISTRATION_STATE_RANK
    order = {
        "state": (rank.asc(), "created_at", "pk"),
        "-state": (rank.desc(), "-created_at", "-pk"),
        "-received": ("-created_at", "-pk"),
    }[query.get("sort", "state" if query.get("show") != "all" else "-received")]
    return list(rows.order_by(*order).values_list("pk", flat=True))


QUERIES = [
    {},
    {"sort": "-state"},
    {"show": "action", "sort": "state"},
    {"state": "confirmed", "sort": "state"},
    {"state": "unconfirmed", "sort": "-state"},
    {"show": "all"},
    {"show": "all", "sort": "state"},
    {"show": "all", "sort": "-state"},
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_review_queue_shows_and_counts_what_the_query_gives(client, world, query):
    ids, count = _pages(client, "/registrations/", query)
    assert ids == _expected(world["cohorts"], query)
    assert count == len(ids)
    if not query.get("state"):
        assert count > REGISTRATION_PAGE_SIZE  # more than one page


@pytest.mark.parametrize("query", QUERIES)
def test_the_queue_of_one_cohort_shows_and_counts_what_the_query_gives(client, world, query):
    cohort = world["first"]
    ids, count = _pages(client, f"/cohorts/{cohort.pk}/registrations/", query)
    assert ids == _expected([cohort], query)
    assert count == len(ids)
    # A filter shows everything it matches unless told otherwise.
    ids, count = _pages(client, "/registrations/", {**query, "cohort": cohort.pk})
    assert ids == _expected([cohort], {"show": "all", **query})
    assert count == len(ids)


def _count(client, url, **query):
    return client.get(url, query).context["page"].paginator.count


def test_each_write_is_counted_at_once(client, world):
    cohort = world["first"]
    urls = ["/registrations/", f"/cohorts/{cohort.pk}/registrations/"]
    one = {"cohort": cohort.pk}
    before = {url: _count(client, url) for url in urls}
    before_all = {url: _count(client, url, show="all") for url in urls}
    cohort_before = _count(client, "/registrations/", **one)
    added = InterestRegistrationFactory(cohort=cohort, state=State.CONFIRMED)
    for url in urls:
        assert _count(client, url) == before[url] + 1
        assert _count(client, url, show="all") == before_all[url] + 1
    assert _count(client, "/registrations/", **one) == cohort_before + 1
    added.state = State.ACCEPTED
    added.save()
    for url in urls:
        assert _count(client, url) == before[url]
        assert _count(client, url, show="all") == before_all[url] + 1
    stale = InterestRegistrationFactory(
        cohort=cohort,
        state=State.UNCONFIRMED,
        confirm_token_hash="x" * 64,
        confirm_expires_at=timezone.now() - timedelta(days=1),
    )
    assert _count(client, urls[1]) == before[urls[1]] + 1
    # Expired without signals: the service replaces the token itself.
    assert registration_expire_stale() == 1
    assert _count(client, urls[1]) == before[urls[1]]
    assert _count(client, urls[0]) == before[urls[0]]
    added.delete()
    stale.delete()
    for url in urls:
        assert _count(client, url, show="all") == before_all[url]


def test_among_the_waiting_states_their_own_order_is_the_ranks():
    """The index walks the states by value: confirmed before unconfirmed, as ranked."""
    waiting = list(selectors.REGISTRATION_ACTION_STATES)
    assert sorted(waiting) == waiting
    rows = [InterestRegistrationFactory(state=state) for state in reversed(waiting)]
    ranked = InterestRegistration.objects.filter(pk__in=[r.pk for r in rows]).order_by(
        selectors.REGISTRATION_STATE_RANK
    )
    assert [r.state for r in ranked] == waiting
