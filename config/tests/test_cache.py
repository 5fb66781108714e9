"""The Redis cache backend keeps one client per connection pool and still behaves as Django's."""

from __future__ import annotations

import uuid

from config.cache import RedisCache


def test_one_client_is_reused_and_the_cache_works() -> None:
    # A database number of the machine's Redis that nothing else here uses; keys are unique anyway.
    cache = RedisCache("redis://127.0.0.1:6379/13", {"KEY_PREFIX": uuid.uuid4().hex})
    assert cache._cache.get_client() is cache._cache.get_client("any", write=True)
    cache.set("page", (1, b"body"), 30)
    assert cache.get("page") == (1, b"body")
    assert cache.get_many(["page", "missing"]) == {"page": (1, b"body")}
    cache.delete("page")
    assert cache.get("page") is None
