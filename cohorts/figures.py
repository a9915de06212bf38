"""Counts of a cohort's (or an office's) registrations and people, kept in the cache under
a change token.

The office's home, a cohort's overview, its participant list and its certificates show
counts over every registration and person of the cohort (or of all the office's
cohorts): at N = 50 the big cohort's 2,000 registrations and 1,000 people grouped on
every visit cost more than the rest of the page (1.8 ms and 1.0 ms of SQL, profiled).
They change only when a registration (or a note on one), a participation, a cohort, a
programme, an organisation or a person is written, so the rows of those queries are kept
under a key of

- a change token that `changed()` replaces whenever any of these is saved or deleted
  (`cohorts.signals` connects it to their post_save and post_delete; a person's sign-in
  saves their last_login), and that the services which write without signals (a bulk
  import of people, the expiry of unconfirmed registrations, an invitation held by an
  import and sent later) replace themselves;
- the query's name and its ids (a cohort, the office's organisations);

and for at most SECONDS, which bounds what no signal reports: rows written by hand, or,
during a Redis outage, a token replaced in another process's fallback cache.

Only what the queries read is kept (ids and counts, or the office's cohorts and a
cohort's organisations as rows): never anything that depends on who is looking beyond
the ids in the key, or on the date.
"""

import threading
import uuid

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

SECONDS = 60
TOKEN_KEY = "cohorts:figures:token"

# The token as read once in this thread's request: a page that keeps several counts (the
# overview: four) read it from Redis for each. Only between request_started and
# request_finished, and forgotten whenever this process replaces the token; outside a
# request (a job, a shell, a test's own calls) it is read every time.
_request = threading.local()


def _request_began(**kwargs):
    _request.active = True
    _request.token = None
    _request.values = {}


def _request_ended(**kwargs):
    _request.active = False
    _request.token = None
    _request.values = {}


request_started.connect(_request_began, dispatch_uid="cohorts.figures.request_started")
request_finished.connect(_request_ended, dispatch_uid="cohorts.figures.request_finished")


def _new_token():
    _request.token = None
    _request.values = {}
    cache.set(TOKEN_KEY, uuid.uuid4().hex, timeout=None)


def changed(*args, **kwargs):
    """Something the kept counts read was written (a signal receiver, or called by a
    service that writes without signals). The token is replaced at once and again after
    the commit: a request that counted between the two, from rows not yet committed,
    kept its counts under the first."""
    _new_token()
    transaction.on_commit(_new_token)


def _token():
    active = getattr(_request, "active", False)
    if active and _request.token is not None:
        return _request.token
    token = cache.get(TOKEN_KEY)
    if token is None:
        # No token (a cache emptied or evicted): a new one, so that nothing kept under an
        # older token can be read again.
        cache.add(TOKEN_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(TOKEN_KEY) or uuid.uuid4().hex
    if active:
        _request.token = token
    return token


def token():
    """The change token as it stands (read once per request): a part of a page kept by
    `pioneer.fragments` names it among its facts when it shows what the token covers."""
    return _token()


def _key(name, token, ids):
    return ":".join(("cohorts:figures", name, token, *map(str, ids)))


def prefetch(*wanted):
    """Read the kept values of `wanted` ((name, *ids) each) at once, for the `kept` calls
    of the rest of this request (a page that keeps several asked Redis for each). Outside
    a request, nothing."""
    if not getattr(_request, "active", False):
        return
    token = _token()
    found = cache.get_many([_key(name, token, ids) for name, *ids in wanted])
    _request.values = {**_request.values, **found}


def kept(name, compute, *ids):
    """`compute()`'s result, kept under the change token, `name` and `ids` (integers)."""
    key = _key(name, _token(), ids)
    value = (getattr(_request, "values", None) or {}).get(key)
    if value is None:
        value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, SECONDS)
    return value
