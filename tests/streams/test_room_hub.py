"""The per-process room hub: one group membership per room, ordered and bounded
delivery per socket (streams/consumers/hub.py)."""

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.core import RedisChannelLayer

from streams import events
from streams.consumers import hub
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_helpers import (
    automod_loaded,  # noqa: F401
    closed_by_server,
    db,
    fresh_channel_layer,  # noqa: F401
)

pytestmark = pytest.mark.django_db(transaction=True)


class FakeSocket:
    """An ASGI send that records frames, and can stop taking them like a client that
    stopped reading (uvicorn's send then waits for the buffer to drain)."""

    def __init__(self):
        self.frames: list[str] = []
        self.reading = asyncio.Event()
        self.reading.set()
        self.broken = False

    async def send(self, message: dict) -> None:
        await self.reading.wait()
        if self.broken:
            raise OSError("connection lost")
        self.frames.append(message["text"])


def outbox_for(socket: FakeSocket, *, limit: int = 10, overflows: list | None = None):
    return hub.Outbox(
        send=socket.send,
        limit=limit,
        on_overflow=lambda: overflows.append(True) if overflows is not None else None,
    )


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def delivered(*sockets_to_watch: FakeSocket, count: int) -> None:
    """Wait until each socket has `count` frames (the Redis pub/sub layer's reader
    polls every 100 ms until its first subscription)."""
    for _ in range(60):
        if all(len(socket.frames) >= count for socket in sockets_to_watch):
            return
        await asyncio.sleep(0.05)


async def test_frames_wait_for_the_welcome_then_go_out_in_order():
    socket = FakeSocket()
    outbox = outbox_for(socket)

    outbox.push("a")
    outbox.push("b")
    await settle()
    assert socket.frames == []

    outbox.open()
    outbox.push("c")
    await settle()
    assert socket.frames == ["a", "b", "c"]


async def test_a_frame_goes_out_at_once_when_the_socket_takes_it():
    socket = FakeSocket()
    outbox = outbox_for(socket)
    outbox.open()

    outbox.push("now")

    assert socket.frames == ["now"]  # no task had to run


async def test_a_socket_that_stopped_reading_gets_its_frames_in_order_later():
    socket = FakeSocket()
    outbox = outbox_for(socket)
    outbox.open()
    socket.reading.clear()

    for text in ("1", "2", "3"):
        outbox.push(text)
    await settle()
    assert socket.frames == []

    socket.reading.set()
    await settle()
    assert socket.frames == ["1", "2", "3"]
    outbox.push("4")
    assert socket.frames == ["1", "2", "3", "4"]


async def test_a_socket_too_far_behind_is_given_up_once():
    socket = FakeSocket()
    overflows = []
    outbox = outbox_for(socket, limit=2, overflows=overflows)
    outbox.open()
    socket.reading.clear()

    for text in ("1", "2", "3", "4", "5", "6"):
        outbox.push(text)

    assert overflows == [True]
    assert outbox.closed
    socket.reading.set()
    await settle()
    assert socket.frames == []  # what was waiting is dropped: the client resumes


async def test_a_socket_that_went_away_takes_no_more_frames():
    socket = FakeSocket()
    outbox = outbox_for(socket)
    outbox.open()
    socket.broken = True

    outbox.push("lost")
    socket.broken = False
    outbox.push("after")

    assert outbox.closed
    assert socket.frames == []


@pytest.mark.usefixtures("fresh_channel_layer")
async def test_the_hub_joins_a_room_once_and_gives_every_socket_each_frame():
    room_hub = hub.RoomHub()
    sockets_here = [FakeSocket() for _ in range(3)]
    outboxes = [outbox_for(socket) for socket in sockets_here]
    for outbox in outboxes:
        await room_hub.join(stream_id=7, outbox=outbox)
        outbox.open()

    await events.asend_to_group(events.room_group(7), {"type": "chat.message", "seq": 1})
    await events.asend_to_group(events.room_group(8), {"type": "chat.message", "seq": 1})
    await delivered(*sockets_here, count=1)
    await asyncio.sleep(0.05)  # nothing more comes

    expected = [events.encode({"type": "chat.message", "seq": 1})]
    assert [socket.frames for socket in sockets_here] == [expected] * 3
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):  # it shows its members
        assert len(layer.groups[events.room_group(7)]) == 1
    for outbox in outboxes:
        room_hub.leave(stream_id=7, outbox=outbox)


@pytest.mark.usefixtures("fresh_channel_layer")
async def test_frames_sent_as_one_layer_message_reach_every_socket_in_order():
    room_hub = hub.RoomHub()
    sockets_here = [FakeSocket() for _ in range(2)]
    for socket in sockets_here:
        outbox = outbox_for(socket)
        await room_hub.join(stream_id=5, outbox=outbox)
        outbox.open()
    gifts = [{"type": "gift.sent", "id": number} for number in (1, 2, 3)]

    await get_channel_layer().group_send(events.room_group(5), events.layer_frames_message(gifts))
    await events.asend_to_group(events.room_group(5), {"type": "chat.message", "seq": 1})
    await delivered(*sockets_here, count=4)

    expected = [events.encode(frame) for frame in [*gifts, {"type": "chat.message", "seq": 1}]]
    assert [socket.frames for socket in sockets_here] == [expected, expected]


@pytest.mark.usefixtures("fresh_channel_layer")
async def test_one_stalled_socket_does_not_hold_up_the_room():
    room_hub = hub.RoomHub()
    stalled, lively = FakeSocket(), FakeSocket()
    for socket in (stalled, lively):
        outbox = outbox_for(socket)
        await room_hub.join(stream_id=3, outbox=outbox)
        outbox.open()
    stalled.reading.clear()

    for seq in (1, 2, 3):
        await events.asend_to_group(events.room_group(3), {"type": "chat.message", "seq": seq})
    await delivered(lively, count=3)

    assert len(lively.frames) == 3
    assert stalled.frames == []
    stalled.reading.set()
    await settle()
    assert stalled.frames == lively.frames


@pytest.mark.usefixtures("fresh_channel_layer")
async def test_the_hub_leaves_a_room_after_its_last_socket_and_a_linger(monkeypatch):
    monkeypatch.setattr(hub, "LINGER_SECONDS", 0.01)
    room_hub = hub.RoomHub()
    first, second = outbox_for(FakeSocket()), outbox_for(FakeSocket())
    await room_hub.join(stream_id=5, outbox=first)
    room_hub.leave(stream_id=5, outbox=first)
    # A socket that joins during the linger keeps the membership.
    await room_hub.join(stream_id=5, outbox=second)
    await asyncio.sleep(0.05)
    assert 5 in room_hub.rooms

    room_hub.leave(stream_id=5, outbox=second)
    await asyncio.sleep(0.05)

    assert room_hub.rooms == {}
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        assert not layer.groups.get(events.room_group(5))


@pytest.mark.usefixtures("fresh_channel_layer")
async def test_a_failed_join_leaves_nothing_half_open(monkeypatch):
    room_hub = hub.RoomHub()
    layer = get_channel_layer()
    working_group_add = layer.group_add

    async def failing_group_add(group, channel):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(layer, "group_add", failing_group_add)
    with pytest.raises(ConnectionError):
        await room_hub.join(stream_id=9, outbox=outbox_for(FakeSocket()))
    assert room_hub.rooms == {}

    monkeypatch.setattr(layer, "group_add", working_group_add)
    socket = FakeSocket()
    outbox = outbox_for(socket)
    await room_hub.join(stream_id=9, outbox=outbox)
    outbox.open()
    await events.asend_to_group(events.room_group(9), {"type": "room.notice", "seq": 1})
    await delivered(socket, count=1)
    assert len(socket.frames) == 1
    room_hub.leave(stream_id=9, outbox=outbox)


async def test_the_hub_receives_beside_consumers_on_the_core_redis_layer(redis_url, monkeypatch):
    """RedisChannelLayer lets one local receiver at a time pop from Redis; the hub's
    channel must share the consumers' list or the room goes silent while they wait."""
    layer = RedisChannelLayer(hosts=[redis_url], prefix=f"hub-test-{id(object())}")
    monkeypatch.setattr(hub, "get_channel_layer", lambda: layer)
    consumer_channel = await layer.new_channel()
    waiting_consumer = asyncio.create_task(layer.receive(consumer_channel))
    await asyncio.sleep(0.1)  # it holds the layer's receive lock now
    room_hub = hub.RoomHub()
    socket = FakeSocket()
    outbox = outbox_for(socket)
    try:
        await room_hub.join(stream_id=11, outbox=outbox)
        outbox.open()
        await layer.group_send(events.room_group(11), events.layer_message({"type": "x"}))
        await delivered(socket, count=1)
        assert socket.frames == ['{"type":"x"}']
    finally:
        waiting_consumer.cancel()
        for task in room_hub.rooms[11].tasks:
            task.cancel()
        await layer.flush()
        await layer.close_pools()


@pytest.mark.usefixtures("automod_loaded", "fresh_channel_layer")
async def test_a_viewer_too_far_behind_is_closed_and_resumes_with_no_gap(
    sockets,
    settings,
    monkeypatch,
):
    settings.ROOM_SOCKET_BACKLOG = 2
    made = []
    original_init, original_write = hub.Outbox.__init__, hub.Outbox._write

    def recording_init(self, **kwargs):
        original_init(self, **kwargs)
        made.append(self)

    stalled = asyncio.get_running_loop().create_future()

    async def stalling_write(self, text):
        if self is made[0]:  # the first socket's client stops reading
            await stalled
        await original_write(self, text)

    monkeypatch.setattr(hub.Outbox, "__init__", recording_init)
    monkeypatch.setattr(hub.Outbox, "_write", stalling_write)
    stream = await db(LiveStreamFactory)()
    viewer = await sockets.join(stream)
    chatter = await sockets.join(stream, await db(UserFactory)())

    for number in range(4):
        await chatter.send("chat.send", body=f"message {number}", ref=str(number))
        await chatter.expect("chat.ack", ref=str(number))

    await closed_by_server(viewer.communicator, hub.CLOSE_TOO_SLOW)
    assert stalled.cancelled()  # the write the client never took was dropped too
    back = await sockets.join(stream, last_seq=viewer.welcome["seq"])
    assert back.welcome["resumed"] is True
    bodies = [(await back.expect("chat.message"))["message"]["body"] for _ in range(4)]
    assert bodies == [f"message {number}" for number in range(4)]
