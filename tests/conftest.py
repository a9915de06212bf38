import os

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, settings

# Every form is tried with 300 examples (tests/test_forms_hypothesis.py). Fixtures are
# function-scoped on purpose: one world and one signed-in client serve all examples of a
# test. No deadline: a shared CI machine may pause any single request.
settings.register_profile(
    "pioneer",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A quick look while working on a form: HYPOTHESIS_PROFILE=quick.
settings.register_profile("quick", parent=settings.get_profile("pioneer"), max_examples=30)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "pioneer"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Job results go to this test's own private directory too.
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "jobs": {
            "BACKEND": "pioneer.storage.PrivateStorage",
            "OPTIONS": {"location": tmp_path / "private" / "jobs"},
        },
    }


@pytest.fixture
def _worker_shares_private_root(monkeypatch, tmp_path):
    """For tests with a real Celery worker (a process of its own, which reads the
    environment, not this process's settings): it writes job results and documents where
    this test's storage reads them."""
    monkeypatch.setenv("PRIVATE_ROOT", str(tmp_path / "private"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters (allauth's and ours) must
    not carry over from one test to the next. With Redis, only this run's keys go (the key
    prefix is per process), so the broker's queues in the same database stay."""
    import pioneer.cache
    import pioneer.celery

    # A test that took Redis or the broker away must not leave the next one on the
    # fallback (each process remembers an outage for a few seconds).
    pioneer.cache._down_until[0] = 0.0
    pioneer.cache.clear_fallback()
    pioneer.celery._broker_down_until[0] = 0.0
    _clear_cache()
    yield


def _clear_cache():
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        pattern = cache.make_key("*")
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


# `make bench` writes these tracked files; a test never may (it would leave the worktree
# modified and the committed figures replaced by a test's). A test that needs them writes
# to its tmp_path. Checked after every test by the files' stat (cheap), so the test that
# wrote them is the one that fails.
_BENCH_OUTPUTS = [
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", name)
    for name in ("results.json", "results.md", "p95.png")
]


def _bench_outputs_stat():
    found = {}
    for path in _BENCH_OUTPUTS:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            found[path] = None
        else:
            found[path] = (info.st_mtime_ns, info.st_size)
    return found


@pytest.fixture(autouse=True)
def _bench_outputs_untouched():
    before = _bench_outputs_stat()
    yield
    changed = [path for path, stat in _bench_outputs_stat().items() if stat != before[path]]
    assert not changed, f"this test wrote make bench's tracked results: {changed}; use tmp_path"
