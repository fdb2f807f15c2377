"""Rate limits shared by every process: a token bucket kept as one timestamp (GCRA).

`consume` takes one token from the bucket named `key`, which refills at
`per_second` and holds at most `burst`. With Redis as the cache the check is one
Lua script, atomic across processes and machines and timed by Redis's clock; with
the embedded cache (one process) it is a dictionary under a lock.
"""

import threading
import time

from halobuzz.core.redis import get_redis_client

_GCRA_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if now < allow_at then return tostring(allow_at - now) end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1)
return '0'
"""

_local_lock = threading.Lock()
_local_buckets: dict[str, float] = {}
_script = None


def gcra_step(*, tat: float | None, now: float, interval: float, burst: int) -> tuple[float, float]:
    """One token-bucket decision. `tat` is the bucket's stored "theoretical arrival
    time" (None for a new bucket). Returns (tat to store, seconds to wait); a wait of
    0.0 means allowed, otherwise keep the old tat."""
    tat = max(tat if tat is not None else now, now)
    new_tat = tat + interval
    allow_at = new_tat - burst * interval
    if now < allow_at:
        return tat, allow_at - now
    return new_tat, 0.0


class TokenBucket:
    """A bucket for one owner in one process (e.g. one socket's frame rate)."""

    def __init__(self, *, per_second: float, burst: int):
        self.interval = 1.0 / per_second
        self.burst = max(1, burst)
        self.tat: float | None = None

    def take(self) -> float:
        """Take a token: 0.0 when allowed, else the seconds until one is free."""
        tat, wait = gcra_step(
            tat=self.tat, now=time.monotonic(), interval=self.interval, burst=self.burst
        )
        if not wait:
            self.tat = tat
        return wait


def consume(*, key: str, per_second: float, burst: int) -> float:
    """Take a token. Returns 0.0 when allowed, else the seconds until one is free."""
    interval = 1.0 / per_second
    burst = max(1, burst)
    client = get_redis_client()
    if client is not None:
        global _script
        if _script is None:
            _script = client.register_script(_GCRA_SCRIPT)
        return float(
            _script(keys=[f"halobuzz:ratelimit:{key}"], args=[interval, burst], client=client)
        )
    now = time.monotonic()
    with _local_lock:
        tat, wait = gcra_step(tat=_local_buckets.get(key), now=now, interval=interval, burst=burst)
        if wait:
            return wait
        _local_buckets[key] = tat
        if len(_local_buckets) > 100_000:
            _forget_full_buckets(now)
    return 0.0


def _forget_full_buckets(now: float) -> None:
    """Drop buckets that have refilled completely (caller holds the lock)."""
    for stale in [name for name, tat in _local_buckets.items() if tat <= now]:
        del _local_buckets[stale]


def reset_local_buckets() -> None:
    """For tests: forget the embedded buckets."""
    with _local_lock:
        _local_buckets.clear()
