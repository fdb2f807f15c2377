"""The Redis connection behind the cache, for the few features that need Redis's own
data types (rate-limit scripts, leaderboards' sorted sets)."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def get_redis_client():
    """The default cache's Redis client, or None when the cache is not Redis (the
    embedded set-up)."""
    # `caches["default"]`, not `django.core.cache.cache`: that is a proxy, and
    # isinstance() sees the proxy's class, never the backend's.
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)


def redis_key(*parts) -> str:
    """A key under the cache's prefix, so test runs and sites sharing a Redis stay
    apart."""
    prefix = caches["default"].key_prefix or "halobuzz"
    return ":".join([prefix, *(str(part) for part in parts)])
