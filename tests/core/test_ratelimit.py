"""The shared token bucket (GCRA): a burst, then refusals that say how long to wait,
then a token back every 1/rate seconds. In process, and on Redis across processes."""

import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from halobuzz.core import ratelimit
from halobuzz.core.redis import get_redis_client


@pytest.fixture(params=["in-process", "redis"])
def backend(request):
    """Run each test against the embedded buckets and, when REDIS_URL is set, Redis."""
    if request.param == "in-process":
        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        ):
            assert get_redis_client() is None
            yield request.param
        return
    redis_url = request.getfixturevalue("redis_url")
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "halobuzz-test",
        }
    }
    with override_settings(CACHES=redis_cache):
        assert get_redis_client() is not None
        caches["default"].clear()
        yield request.param
        caches["default"].clear()


def take(key, times, *, per_second=1.0, burst=3) -> list[float]:
    return [ratelimit.consume(key=key, per_second=per_second, burst=burst) for _ in range(times)]


def test_a_full_burst_is_allowed_then_the_next_waits_about_one_interval(backend):
    waits = take("burst", 4, per_second=2.0, burst=3)

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0.4 < waits[3] <= 0.5  # 1 / rate


def test_refusals_take_no_tokens(backend):
    take("refused", 3, per_second=2.0, burst=3)

    waits = take("refused", 5, per_second=2.0, burst=3)

    assert all(0.4 < wait <= 0.5 for wait in waits)


def test_the_bucket_refills_at_the_rate(backend):
    take("refill", 3, per_second=4.0, burst=3)
    [wait] = take("refill", 1, per_second=4.0)
    assert 0.2 < wait <= 0.25

    time.sleep(wait + 0.02)

    assert take("refill", 1, per_second=4.0) == [0.0]  # one token came back...
    assert take("refill", 1, per_second=4.0)[0] > 0  # ...and only one


def test_a_quiet_bucket_refills_to_the_burst_and_no_further(backend):
    take("quiet", 3, per_second=4.0, burst=3)

    time.sleep(1.0)  # four tokens' worth, but the bucket holds three

    waits = take("quiet", 4, per_second=4.0, burst=3)
    assert waits[:3] == [0.0, 0.0, 0.0] and waits[3] > 0


def test_buckets_are_separate_by_key(backend):
    take("alice", 3)

    assert take("bob", 3) == [0.0, 0.0, 0.0]
    assert take("alice", 1)[0] > 0


def test_a_burst_of_zero_still_allows_one(backend):
    assert take("tiny", 2, per_second=1.0, burst=0)[0] == 0.0
    assert take("tiny", 1, per_second=1.0, burst=0)[0] > 0


@pytest.mark.redis
def test_on_redis_the_bucket_is_shared_by_every_process(redis_url):
    redis_cache = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    with override_settings(CACHES=redis_cache):
        caches["default"].clear()
        take("shared", 3)
        # Another process has no buckets of its own in memory...
        ratelimit.reset_local_buckets()
        # ...and is still refused, because the bucket lives in Redis.
        assert take("shared", 1)[0] > 0
        caches["default"].clear()
