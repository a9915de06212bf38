"""pioneer.cache keeps one redis.Redis client per connection pool (Django makes one per
operation): the same client serves every operation, and the cache reads what it wrote."""

import pytest
from django.core.cache import caches

from pioneer.cache import FallbackRedisCache, KeptClientRedisCacheClient


def test_one_client_serves_every_operation():
    cache = caches["default"]
    if not isinstance(cache, FallbackRedisCache):
        pytest.skip("the cache is not Redis here")
    assert isinstance(cache._cache, KeptClientRedisCacheClient)
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is cache._cache.get_client(write=True)
    cache.set("kept-client", {"n": 1}, 30)
    assert cache.get("kept-client") == {"n": 1}
    assert cache.get_many(["kept-client", "none"]) == {"kept-client": {"n": 1}}
    cache.delete("kept-client")
    assert cache.get("kept-client") is None
