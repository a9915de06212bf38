"""A small rate limit for public forms that send e-mail (allauth guards its own forms).

Counts per client address in the cache (Redis in production, local memory otherwise);
the address is the one allauth determines, so ALLAUTH_TRUSTED_PROXY_COUNT behind a
reverse proxy applies here too. With Redis down the counters live in each process's
memory (pioneer.cache): the limits still hold, per process, and nothing fails.
"""

from allauth.account.adapter import get_adapter
from django.core.cache import cache


def client_ip(request):
    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # no address at all: share one bucket rather than fail open
        return "unknown"


def count(key, *, period):
    """Count one use under `key` within a window of `period` seconds; the new count."""
    key = f"pioneer:ratelimit:{key}"
    if cache.add(key, 1, timeout=period):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        return 1


def over_limit(request, *, action, limit, period):
    """Count one use of `action`; True when the client went over `limit` per `period` s."""
    return count(f"{action}:{client_ip(request)}", period=period) > limit
