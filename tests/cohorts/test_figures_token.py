"""The change token of cohorts.figures is read once per request (a page keeping several
counts read it from the cache for each), forgotten when this process replaces it, and read
every time outside a request (jobs, shells, a test's own calls)."""

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from cohorts import figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(monkeypatch):
    figures._new_token()  # a token to read (without one, the first read makes one)
    get, get_many = cache.get, cache.get_many
    batch = []

    def counting_get(key, *args, **kwargs):
        # The keys of one get_many are one read (Redis answers them in one round trip;
        # the local cache of `make test` without services reads them one by one).
        if not batch:
            (seen if key == figures.TOKEN_KEY else seen.others).append(key)
        return get(key, *args, **kwargs)

    def counting_get_many(keys, *args, **kwargs):
        batch.append(True)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            batch.pop()

    seen = _Reads()
    monkeypatch.setattr(cache, "get", counting_get)
    monkeypatch.setattr(cache, "get_many", counting_get_many)
    return seen


class _Reads(list):
    """The token's reads (the list), and the other keys read (`others`)."""

    def __init__(self):
        super().__init__()
        self.others = []


def _kept(name):
    return figures.kept(name, lambda: name, 1)


def test_outside_a_request_the_token_is_read_every_time(reads):
    for _ in range(3):
        _kept("a")
    assert len(reads) == 3


def test_in_a_request_the_token_is_read_once_and_again_after_a_change(reads):
    request_started.send(sender=None, environ={})
    try:
        first = figures._token()
        for name in ("a", "b", "c"):
            _kept(name)
        assert len(reads) == 1
        figures.changed()  # a write in this request: its counts are read anew
        assert figures._token() != first
        assert len(reads) == 2
        _kept("a")
        assert len(reads) == 2
    finally:
        request_finished.send(sender=None)
    _kept("a")
    _kept("a")
    assert len(reads) == 4


def test_a_token_replaced_elsewhere_is_seen_by_the_next_request(reads):
    request_started.send(sender=None, environ={})
    first = figures._token()
    request_finished.send(sender=None)
    cache.set(figures.TOKEN_KEY, "replaced-by-another-process", timeout=None)
    request_started.send(sender=None, environ={})
    try:
        assert figures._token() == "replaced-by-another-process" != first
    finally:
        request_finished.send(sender=None)


def test_a_page_reads_the_token_once(client, reads):
    from tests.factories.cohorts import CohortFactory, ParticipationFactory
    from tests.factories.core import office_user

    cohort = CohortFactory()
    ParticipationFactory(cohort=cohort)
    client.force_login(office_user(org=cohort.programme.organisation))
    reads.clear()
    assert client.get(f"/cohorts/{cohort.pk}/").status_code == 200
    assert len(reads) == 1


def test_prefetched_values_are_read_at_once_and_dropped_with_the_token(reads):
    request_started.send(sender=None, environ={})
    try:
        figures.kept("a", lambda: "A", 1)  # kept now
        gets = reads.others
        gets.clear()
        figures.prefetch(("a", 1), ("b", 2))
        assert figures.kept("a", lambda: "not computed", 1) == "A"
        assert figures.kept("b", lambda: "B", 2) == "B"  # not kept: computed
        assert [key for key in gets if key != figures.TOKEN_KEY] == [
            figures._key("b", figures._token(), (2,))
        ]
        figures.changed()
        assert figures.kept("a", lambda: "A again", 1) == "A again"
    finally:
        request_finished.send(sender=None)
    # Outside a request nothing is read ahead.
    figures.prefetch(("a", 1))
    assert figures._request.values == {}


def test_the_overview_reads_its_kept_counts_at_once(client, reads):
    from tests.factories.cohorts import CohortFactory, ParticipationFactory
    from tests.factories.core import office_user

    cohort = CohortFactory()
    ParticipationFactory(cohort=cohort)
    client.force_login(office_user(org=cohort.programme.organisation))
    assert client.get(f"/cohorts/{cohort.pk}/").status_code == 200
    reads.clear()
    reads.others.clear()
    assert client.get(f"/cohorts/{cohort.pk}/").status_code == 200
    assert len(reads) == 1
    assert not [key for key in reads.others if key.startswith("cohorts:figures:")]


def test_the_office_home_reads_its_kept_counts_at_once(client, reads):
    from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory
    from tests.factories.core import office_user

    cohort = CohortFactory()
    InterestRegistrationFactory(cohort=cohort)
    client.force_login(office_user(org=cohort.programme.organisation))
    assert client.get("/home/").status_code == 200
    reads.clear()
    reads.others.clear()
    assert client.get("/home/").status_code == 200
    assert len(reads) == 1
    assert not [key for key in reads.others if key.startswith("cohorts:figures:")]
