"""Momentary room events batched into time windows: reaction bursts and viewer counts.
However many taps, joins or server processes, a room gets one frame per window."""

import asyncio
import itertools
import random
import time
from collections import Counter

import pytest
from channels.db import database_sync_to_async

from streams import events, realtime
from streams.models import Stream
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import RoomPresenceFactory

WINDOW = 0.1
# Room ids for the reaction tests (no database needed): random, so that runs sharing
# a Redis never meet each other's windows.
_room_ids = itertools.count(random.randrange(10**8, 10**9))


@pytest.fixture
def sent(monkeypatch):
    """Frames the batchers send, as (group, frame)."""
    frames = []

    async def record(group, frame):
        frames.append((group, frame))

    monkeypatch.setattr(events, "asend_to_group", record)
    return frames


@pytest.fixture
def windows(settings):
    settings.ROOM_REACTION_WINDOW_SECONDS = WINDOW
    settings.ROOM_PRESENCE_BROADCAST_SECONDS = WINDOW


@pytest.fixture(params=["memory", "redis"])
def make_state(request):
    """Makes the shared state of one server process. With Redis every call gives an
    independent client, as separate processes would have; in memory, processes of
    one test share one dictionary (the in-process stand-in for Redis)."""
    if request.param == "memory":
        shared = realtime.MemoryState()
        return lambda: shared
    redis_url = request.getfixturevalue("redis_url")
    return lambda: realtime.RedisState(redis_url)


async def settle(*batchers, timeout=3.0):
    """Wait until the batchers have nothing scheduled."""
    async with asyncio.timeout(timeout):
        while any(batcher.tasks for batcher in batchers):
            await asyncio.gather(*[t for b in batchers for t in list(b.tasks.values())])


def bursts(sent, room_id):
    return [
        frame["counts"]
        for group, frame in sent
        if group == events.room_group(room_id) and frame["type"] == "reaction.burst"
    ]


# --- Reactions -------------------------------------------------------------------------


async def test_a_thousand_taps_in_one_window_make_one_burst(make_state, sent, windows):
    batcher = realtime.ReactionBatcher(make_state())
    room = next(_room_ids)

    for tap in range(1000):
        batcher.add(room, "heart" if tap % 4 else "fire")
    await settle(batcher)

    assert bursts(sent, room) == [{"heart": 750, "fire": 250}]
    assert sent[0][1] == events.build_frame("reaction.burst", counts={"heart": 750, "fire": 250})


async def test_two_processes_tapping_in_one_window_make_one_burst_with_both_counts(
    make_state, sent, windows
):
    first, second = realtime.ReactionBatcher(make_state()), realtime.ReactionBatcher(make_state())
    room = next(_room_ids)

    for _ in range(300):
        first.add(room, "heart")
    for _ in range(200):
        second.add(room, "heart")
        second.add(room, "clap")
    await settle(first, second)

    assert bursts(sent, room) == [{"heart": 500, "clap": 200}]


async def test_taps_in_later_windows_make_later_bursts(make_state, sent, windows):
    batcher = realtime.ReactionBatcher(make_state())
    room = next(_room_ids)

    batcher.add(room, "wow")
    await settle(batcher)
    batcher.add(room, "party")
    batcher.add(room, "party")
    await settle(batcher)

    assert bursts(sent, room) == [{"wow": 1}, {"party": 2}]


async def test_each_room_gets_its_own_burst(make_state, sent, windows):
    batcher = realtime.ReactionBatcher(make_state())
    one, other = next(_room_ids), next(_room_ids)

    batcher.add(one, "fire")
    batcher.add(other, "laugh")
    await settle(batcher)

    assert bursts(sent, one) == [{"fire": 1}] and bursts(sent, other) == [{"laugh": 1}]


async def test_a_tap_while_a_burst_is_being_sent_is_kept_for_the_next_window(
    sent, settings, monkeypatch
):
    settings.ROOM_REACTION_WINDOW_SECONDS = 0.3
    monkeypatch.setattr(realtime.ReactionBatcher, "SETTLE_SECONDS", 0.1)
    batcher = realtime.ReactionBatcher(realtime.MemoryState())
    room = next(_room_ids)
    batcher.add(room, "heart")
    [sending] = batcher.tasks.values()
    async with asyncio.timeout(2):
        while room in batcher.pending:  # the window ended: the burst is on its way
            await asyncio.sleep(0.005)

    batcher.add(room, "fire")
    await sending

    # The timer of the new window is still known, so no second timer starts for it.
    assert room in batcher.tasks
    batcher.add(room, "fire")
    assert len(batcher.tasks) == 1
    await settle(batcher)
    assert bursts(sent, room) == [{"heart": 1}, {"fire": 2}]


async def test_many_taps_spread_over_a_second_make_at_most_one_burst_per_window(
    make_state, sent, windows
):
    batcher = realtime.ReactionBatcher(make_state())
    room = next(_room_ids)
    started = time.monotonic()

    for _ in range(50):
        batcher.add(room, "heart")
        await asyncio.sleep(0.01)
    await settle(batcher)

    counts = bursts(sent, room)
    assert sum(burst["heart"] for burst in counts) == 50
    assert len(counts) <= (time.monotonic() - started) / WINDOW + 1


# --- Viewer counts ---------------------------------------------------------------------


def presence_counts(sent, stream_id):
    return [
        frame
        for group, frame in sent
        if group == events.room_group(stream_id) and frame["type"] == "presence.count"
    ]


@pytest.mark.django_db(transaction=True)
async def test_many_joins_in_one_window_make_one_viewer_count(sent, windows):
    stream = await database_sync_to_async(LiveStreamFactory)()
    await database_sync_to_async(RoomPresenceFactory.create_batch)(3, stream=stream)
    await database_sync_to_async(RoomPresenceFactory)(stream=stream, user=None)
    announcer = realtime.PresenceAnnouncer(realtime.MemoryState())

    for _ in range(100):
        announcer.changed(stream.pk)
    await settle(announcer)

    assert presence_counts(sent, stream.pk) == [
        events.build_frame("presence.count", count=4, peak=4)
    ]
    saved = await Stream.objects.aget(pk=stream.pk)
    assert (saved.current_viewers, saved.peak_viewers) == (4, 4)


@pytest.mark.django_db(transaction=True)
async def test_two_processes_announce_one_viewer_count_per_window(make_state, sent, windows):
    stream = await database_sync_to_async(LiveStreamFactory)()
    viewer = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(RoomPresenceFactory.create_batch)(2, stream=stream, user=viewer)
    first = realtime.PresenceAnnouncer(make_state())
    second = realtime.PresenceAnnouncer(make_state())

    first.changed(stream.pk)
    second.changed(stream.pk)
    await settle(first, second)

    assert [(frame["count"], frame["peak"]) for frame in presence_counts(sent, stream.pk)] == [
        (1, 1)
    ]


@pytest.mark.django_db(transaction=True)
async def test_a_later_change_makes_a_later_count(sent, windows):
    stream = await database_sync_to_async(LiveStreamFactory)()
    socket = await database_sync_to_async(RoomPresenceFactory)(stream=stream)
    announcer = realtime.PresenceAnnouncer(realtime.MemoryState())

    announcer.changed(stream.pk)
    await settle(announcer)
    await socket.adelete()
    announcer.changed(stream.pk)
    await settle(announcer)

    assert [(frame["count"], frame["peak"]) for frame in presence_counts(sent, stream.pk)] == [
        (1, 1),
        (0, 1),
    ]


async def test_memory_state_claims_a_window_once_and_hands_counts_over_once():
    state = realtime.MemoryState()

    assert await state.claim("window", ttl_seconds=5) is True
    assert await state.claim("window", ttl_seconds=5) is False
    await state.add_counts("a", Counter(heart=2), ttl_seconds=5)
    await state.add_counts("a", Counter(heart=1, fire=1), ttl_seconds=5)
    await state.add_counts("b", Counter(fire=1), ttl_seconds=5)
    assert await state.take_counts("a", "b") == Counter(heart=3, fire=2)
    assert await state.take_counts("a", "b") == Counter()
