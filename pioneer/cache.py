"""The cache: Redis, with a per-process memory cache while Redis does not answer.

What lives in the cache is short-lived and can be rebuilt: rate-limit counters (allauth's
sign-in and password-reset limits, the public forms' limits) and memoised reads. Sessions
live in the database. So when Redis is unreachable, a request must not fail: each
operation falls back to a local-memory cache in the same process, and Redis is tried
again a few seconds later.

Why per process and not the database cache table: the rate limits still limit (each
process counts on its own, so a client gets at most the limit times the number of web
processes during the outage, a few times the limit instead of none at all); there is no
extra table to create and keep clean; and the database is not loaded with a counter
write per request at the moment another part of the system is already failing. The
outage is visible on /health/ (pioneer.health.Cache asks Redis itself), not hidden by the
fallback.
"""

import logging
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger(__name__)

# After a failure, Redis is left alone this long: a request does not pay the connect
# timeout again and again while it is down.
RETRY_AFTER_SECONDS = 5.0

_down_until = [0.0]  # shared by the threads of one process; a list to be assignable


def _redis_errors():
    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def redis_is_down():
    """True while this process is using the fallback (Redis failed a moment ago)."""
    return time.monotonic() < _down_until[0]


FALLBACK_NAME = "pioneer-redis-fallback"


def clear_fallback():
    """Empty this process's fallback cache (tests start each with an empty one)."""
    LocMemCache(FALLBACK_NAME, {}).clear()


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
        options = {"MAX_ENTRIES": 10_000}
        # One memory cache per process (LocMemCache shares its storage by name).
        self._fallback = LocMemCache(
            FALLBACK_NAME, {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": options}
        )

    def ping(self):
        """Ask Redis itself, past the fallback (for /health/). Raises when it is down."""
        self._cache.get_client(write=True).ping()


def _with_fallback(name):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if not redis_is_down():
            try:
                return redis_method(self, *args, **kwargs)
            except _redis_errors() as exc:
                log.warning("Redis cache unreachable (%s); using the per-process fallback", exc)
                _down_until[0] = time.monotonic() + RETRY_AFTER_SECONDS
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FallbackRedisCache, _name, _with_fallback(_name))


class KeptClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client with one `redis.Redis` per connection pool, kept: Django
    makes a new one for every operation, and building its table of response callbacks
    was half the CPU of a `cache.get` (50 of 110 microseconds; a page asks the cache
    two to five times). The client holds no connection of its own (the pool does), so
    the threads of a process may share it as they share the pool."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_kept_clients", {})
        client = clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = clients[index] = self._client(connection_pool=pool)
        return client
