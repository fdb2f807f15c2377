"""Helpers for the live room socket tests (`/ws/streams/<id>/`, docs/realtime-protocol.md).

A `RoomClient` is one browser tab in a room: it joins through the project's websocket
routes with the user put straight into the scope (as `AuthMiddlewareStack` would),
and reads like what the tab sees: `expect("chat.message")` waits for a frame of that
type and skips unrelated ones (viewer counts arrive whenever they like),
`expect_error("rate_limited")` waits for a refusal, `expect_nothing("chat.message")`
checks that a frame does not come, and `assert_still_open()` pings.

Never let `receive_json_from` time out on a socket the test still uses: the
communicator cancels the consumer when it does. `expect_nothing` polls instead.
"""

import asyncio
import contextlib
import time

import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from halobuzz.routing import websocket_urlpatterns
from streams.models import ChatMessage, Emote, RoomState
from streams.services import chat
from trust import automod

# Long enough for a slow CI machine; a passing test never waits for it.
TIMEOUT = 3
# How long `expect_nothing` watches a socket.
QUIET_SECONDS = 0.3

db = database_sync_to_async

# Frames that carry a seq and are replayed on resume.
REPLAYABLE_TYPES = (
    "chat.message",
    "chat.deleted",
    "chat.cleared",
    "chat.user_purged",
    "room.modes",
    "room.notice",
    "stream.status",
    "stream.updated",
    "poll.opened",
    "poll.closed",
    "request.added",
    "request.updated",
)
# Frames that carry no seq and arrive whenever the server likes.
MOMENTARY = {
    "presence.count",
    "presence.joined",
    "presence.left",
    "reaction.burst",
    "poll.results",
}


@pytest.fixture(scope="session")
def automod_loaded():
    """Load AutoMod's model once (about a second) rather than inside the first test
    that posts a message. Modules use it with `pytest.mark.usefixtures`."""
    automod.warm_up()


@pytest.fixture
async def fresh_channel_layer():
    """A channel layer of its own for each test, closed at its end.

    The layer is a process-wide singleton and every socket of a process receives
    through one Redis key named after it. A socket that left in an earlier test (on
    that test's event loop, now closed) can leave a blocking pop behind on that key,
    which would take the next test's first message; a new layer uses a new key.
    """
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    yield
    layer = channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    if hasattr(layer, "close_pools"):
        await layer.close_pools()


class RoomClient:
    """One socket in a room and the welcome it got."""

    def __init__(self, communicator: WebsocketCommunicator, welcome: dict):
        self.communicator = communicator
        self.welcome = welcome

    async def send(self, frame_type: str, **fields) -> None:
        await self.communicator.send_json_to({"type": frame_type, **fields})

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def send_bytes(self, data: bytes) -> None:
        await self.communicator.send_to(bytes_data=data)

    async def receive(self, *, skip=MOMENTARY, timeout: float = TIMEOUT) -> dict:
        """The next frame whose type is not in `skip`."""
        while True:
            frame = await self.communicator.receive_json_from(timeout=timeout)
            if frame["type"] not in skip:
                return frame

    async def expect(self, frame_type: str, *, timeout: float = TIMEOUT, **fields) -> dict:
        """Skip frames until one of `frame_type` (with these field values) arrives. An
        `error` frame fails at once when something else was expected."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                frame = await self.communicator.receive_json_from(timeout=max(remaining, 0))
            except TimeoutError:
                wanted = f"{frame_type} {fields}" if fields else frame_type
                raise AssertionError(f"no {wanted} arrived") from None
            if frame["type"] == "error" and frame_type != "error":
                raise AssertionError(f"expected {frame_type}, got {frame}")
            if frame["type"] == frame_type and all(
                frame.get(name) == value for name, value in fields.items()
            ):
                return frame

    async def expect_each(self, *frame_types: str, timeout: float = TIMEOUT) -> dict:
        """One frame of each type, in whatever order they come (an ack and the room's
        copy of the same message race: they travel different paths)."""
        deadline = time.monotonic() + timeout
        found = {}
        while len(found) < len(frame_types):
            remaining = deadline - time.monotonic()
            try:
                frame = await self.communicator.receive_json_from(timeout=max(remaining, 0))
            except TimeoutError:
                missing = [name for name in frame_types if name not in found]
                raise AssertionError(f"no {missing} arrived") from None
            if frame["type"] == "error" and "error" not in frame_types:
                raise AssertionError(f"expected {frame_types}, got {frame}")
            if frame["type"] in frame_types:
                found.setdefault(frame["type"], frame)
        return found

    async def expect_error(self, code: str, **fields) -> dict:
        error = await self.expect("error")
        assert error["code"] == code, error
        assert error["v"] == 1
        assert error["message"]
        for name, value in fields.items():
            assert error.get(name) == value, error
        return error

    async def expect_nothing(self, *frame_types: str, timeout: float = QUIET_SECONDS) -> None:
        """No frame of these types (of any type, when none are named) arrives."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            if await self.communicator.receive_nothing(timeout=remaining):
                return
            frame = await self.communicator.receive_json_from()
            if not frame_types or frame["type"] in frame_types:
                raise AssertionError(f"unexpected frame: {frame}")

    async def assert_still_open(self) -> None:
        """The socket still answers: a ping gets its pong."""
        await self.send("ping", ref="still-there")
        pong = await self.expect("pong")
        assert pong["ref"] == "still-there"

    async def leave(self) -> None:
        # A consumer that a timed-out receive cancelled is already gone.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await self.communicator.disconnect()


class Sockets:
    """Opens room sockets for one test and closes them all at its end, so no consumer
    touches the database while the test's tables are flushed."""

    def __init__(self):
        self.clients: list[RoomClient] = []

    async def open(self, stream_id: int, user=None, *, last_seq=None, query: str = ""):
        """Connect; returns the communicator before any frame is read."""
        path = f"/ws/streams/{stream_id}/"
        if last_seq is not None:
            query = f"last_seq={last_seq}"
        if query:
            path = f"{path}?{query}"
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
        communicator.scope["user"] = user if user is not None else AnonymousUser()
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        self.clients.append(RoomClient(communicator, welcome={}))
        return communicator

    async def join(self, stream, user=None, *, last_seq=None, query: str = "") -> RoomClient:
        """Connect to `stream`'s room as `user` (None: a visitor) and read the welcome."""
        communicator = await self.open(stream.pk, user, last_seq=last_seq, query=query)
        welcome = await communicator.receive_json_from(timeout=TIMEOUT)
        assert welcome["type"] == "room.welcome", welcome
        client = self.clients[-1]
        client.welcome = welcome
        return client

    async def close_all(self) -> None:
        for client in self.clients:
            await client.leave()
        # Let the announcers' database work that the disconnects started finish.
        await asyncio.sleep(0)


async def closed_by_server(communicator, code: int) -> None:
    """The server closed the socket with `code`; then, as a real server does, tell the app."""
    closing = await communicator.receive_output(timeout=TIMEOUT)
    assert closing["type"] == "websocket.close"
    assert closing["code"] == code
    await communicator.disconnect()


# --- Setting up a room (sync code: wrap with `db(...)`) -------------------------------


def post_messages(*, stream, author, bodies) -> list[ChatMessage]:
    """Post through the chat service (the caller raises CHAT_MESSAGE_BURST for many)."""
    return [
        chat.post_chat_message(stream_id=stream.pk, author=author, body=body).message
        for body in bodies
    ]


def fill_chat(*, stream, author, bodies) -> list[ChatMessage]:
    """Visible, numbered messages in one go, as if the room had shown them (history for
    a welcome: no events are stored or broadcast)."""
    with transaction.atomic():
        state, _ = RoomState.objects.select_for_update().get_or_create(stream=stream)
        messages = ChatMessage.objects.bulk_create(
            ChatMessage(stream=stream, author=author, body=body, seq=state.last_seq + number)
            for number, body in enumerate(bodies, start=1)
        )
        state.last_seq += len(messages)
        state.save(update_fields=["last_seq"])
    return messages


def add_emote(*, code: str = "wave", channel=None) -> Emote:
    """An emote with a built-in image (the seeded set is gone once a transactional test
    has flushed the tables, so tests make their own)."""
    with transaction.atomic():
        emote, _ = Emote.objects.get_or_create(
            code=code,
            channel=channel,
            defaults={"name": code.title(), "builtin_image": f"streams/emotes/{code}.svg"},
        )
    return emote
