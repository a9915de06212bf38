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
    seen = []
    get = cache.get

    def counting_get(key, *args, **kwargs):
        if key == figures.TOKEN_KEY:
            seen.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    return seen


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
