"""Per-process machinery behind the room's momentary events.

Reactions and viewer counts would flood a big room if every tap or join were
broadcast, so each server process batches them into time windows, and the windows
are shared by all processes through Redis:

- `ReactionBatcher` adds up a room's taps over ROOM_REACTION_WINDOW_SECONDS. At the
  end of a window every process adds its counts to one Redis hash; one process
  (whoever claims the window first) takes the hash and broadcasts a single
  `reaction.burst`. So a room gets at most 4 bursts a second however many viewers
  and processes it has.
- `PresenceAnnouncer` sends `presence.count` at most every
  ROOM_PRESENCE_BROADCAST_SECONDS per room, by the same claim-the-window rule.
- `PresenceKeeper` refreshes this process's presence rows in one UPDATE.

Without Redis (one process) the shared state is a dictionary in memory.
"""

import asyncio
import contextlib
import logging
import time
import weakref
from collections import Counter

from channels.db import database_sync_to_async
from django.conf import settings

from streams import events
from streams.consumers.hub import RoomHub
from streams.services import presence

logger = logging.getLogger(__name__)


class MemoryState:
    def __init__(self):
        self.claims: dict[str, float] = {}
        self.counts: dict[str, Counter] = {}

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        now = time.monotonic()
        if self.claims.get(key, 0) > now:
            return False
        self.claims[key] = now + ttl_seconds
        if len(self.claims) > 10_000:
            self.claims = {k: v for k, v in self.claims.items() if v > now}
        return True

    async def add_counts(self, key: str, counts: Counter, ttl_seconds: float) -> None:
        self.counts.setdefault(key, Counter()).update(counts)

    async def take_counts(self, *keys: str) -> Counter:
        total = Counter()
        for key in keys:
            total.update(self.counts.pop(key, Counter()))
        return total


class RedisState:
    """The same operations on Redis, with one client per event loop."""

    def __init__(self, url: str):
        self.url = url
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _client(self):
        import redis.asyncio

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = redis.asyncio.Redis.from_url(
                self.url, socket_timeout=settings.REDIS_SOCKET_TIMEOUT_SECONDS
            )
            self._clients[loop] = client
        return client

    async def claim(self, key: str, ttl_seconds: float) -> bool:
        return bool(
            await self._client().set(f"halobuzz:room:{key}", 1, nx=True, px=int(ttl_seconds * 1000))
        )

    async def add_counts(self, key: str, counts: Counter, ttl_seconds: float) -> None:
        name = f"halobuzz:room:{key}"
        async with self._client().pipeline(transaction=True) as pipe:
            for field, amount in counts.items():
                pipe.hincrby(name, field, amount)
            pipe.pexpire(name, int(ttl_seconds * 1000))
            await pipe.execute()

    async def take_counts(self, *keys: str) -> Counter:
        names = [f"halobuzz:room:{key}" for key in keys]
        async with self._client().pipeline(transaction=True) as pipe:
            for name in names:
                pipe.hgetall(name)
            pipe.delete(*names)
            results = await pipe.execute()
        total = Counter()
        for found in results[:-1]:
            for field, amount in found.items():
                total[field.decode()] += int(amount)
        return total


def _shared_state():
    return RedisState(settings.REDIS_URL) if settings.REDIS_URL else MemoryState()


def _seconds_to_window_end(window: float) -> tuple[int, float]:
    now = time.time()
    window_index = int(now // window)
    return window_index, (window_index + 1) * window - now


def _forget_task(tasks: dict[int, asyncio.Task], stream_id: int) -> None:
    """Drop the running task from `tasks` unless the room has a newer one: a change
    during the awaits after the window ended starts the next window's task, which
    must stay known or a second one would start beside it."""
    if tasks.get(stream_id) is asyncio.current_task():
        del tasks[stream_id]


class ReactionBatcher:
    # Processes add their counts at the window's end; the claimer waits this much
    # longer before taking them, so counts from processes a little late are included.
    SETTLE_SECONDS = 0.03

    def __init__(self, state):
        self.state = state
        self.pending: dict[int, Counter] = {}
        self.tasks: dict[int, asyncio.Task] = {}

    def add(self, stream_id: int, kind: str) -> None:
        self.pending.setdefault(stream_id, Counter())[kind] += 1
        if stream_id not in self.tasks:
            self.tasks[stream_id] = asyncio.create_task(self._flush(stream_id))

    async def _flush(self, stream_id: int) -> None:
        window = settings.ROOM_REACTION_WINDOW_SECONDS
        try:
            window_index, wait = _seconds_to_window_end(window)
            await asyncio.sleep(wait)
            counts = self.pending.pop(stream_id, Counter())
            self.tasks.pop(stream_id, None)
            key = f"reactions:{stream_id}:{window_index}"
            await self.state.add_counts(key, counts, ttl_seconds=window * 8)
            await asyncio.sleep(self.SETTLE_SECONDS)
            if not await self.state.claim(f"{key}:sent", ttl_seconds=window * 8):
                return
            # Counts a late process added to the window before are taken too.
            total = await self.state.take_counts(key, f"reactions:{stream_id}:{window_index - 1}")
            if total:
                await events.asend_to_group(
                    events.room_group(stream_id),
                    events.build_frame(events.REACTION_BURST, counts=dict(total)),
                )
        except Exception:
            logger.exception("Reaction burst for stream %s failed", stream_id)
        finally:
            _forget_task(self.tasks, stream_id)


class PresenceAnnouncer:
    def __init__(self, state):
        self.state = state
        self.tasks: dict[int, asyncio.Task] = {}

    def changed(self, stream_id: int) -> None:
        if stream_id not in self.tasks:
            self.tasks[stream_id] = asyncio.create_task(self._announce(stream_id))

    async def _announce(self, stream_id: int) -> None:
        window = settings.ROOM_PRESENCE_BROADCAST_SECONDS
        try:
            window_index, wait = _seconds_to_window_end(window)
            await asyncio.sleep(wait)
            self.tasks.pop(stream_id, None)
            if not await self.state.claim(
                f"presence:{stream_id}:{window_index}", ttl_seconds=window * 4
            ):
                return
            count, peak = await database_sync_to_async(presence.record_room_viewers)(
                stream_id=stream_id
            )
            await events.asend_to_group(
                events.room_group(stream_id), presence.presence_count_frame(count=count, peak=peak)
            )
        except Exception:
            logger.exception("Viewer count for stream %s failed", stream_id)
        finally:
            _forget_task(self.tasks, stream_id)


class PresenceKeeper:
    """Keeps this process's presence rows fresh with one UPDATE per interval."""

    def __init__(self):
        self.channel_names: set[str] = set()
        self.task: asyncio.Task | None = None

    def add(self, channel_name: str) -> None:
        self.channel_names.add(channel_name)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    def discard(self, channel_name: str) -> None:
        self.channel_names.discard(channel_name)

    async def _run(self) -> None:
        while self.channel_names:
            await asyncio.sleep(settings.ROOM_PRESENCE_TOUCH_SECONDS)
            with contextlib.suppress(Exception):
                await database_sync_to_async(presence.touch_presences)(
                    channel_names=list(self.channel_names)
                )


class RoomRuntime:
    def __init__(self):
        state = _shared_state()
        self.reactions = ReactionBatcher(state)
        self.presence = PresenceAnnouncer(state)
        self.keeper = PresenceKeeper()
        self.hub = RoomHub()


_runtimes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_runtime() -> RoomRuntime:
    """This event loop's runtime (one per server process; tests get one per loop)."""
    loop = asyncio.get_running_loop()
    runtime = _runtimes.get(loop)
    if runtime is None:
        runtime = _runtimes[loop] = RoomRuntime()
    return runtime
