"""Live room events: group names, frame shapes and how they reach the channel layer.

Every server->client frame is JSON with a `type` and the protocol version `v`
(docs/realtime-protocol.md). Frames that change what the room shows (a message, a
deletion, a poll opening...) are *replayable*: `append_room_event` gives them the
room's next `seq`, stores them in `RoomEvent` so a reconnecting client can resume,
and broadcasts them once the transaction commits. Momentary frames (viewer counts,
reaction bursts) carry no `seq` and are never replayed.

Frames travel the channel layer already encoded (`{"type": "room.frame", "text":
...}`), so a message for a thousand viewers is serialised once, not a thousand times.
"""

import asyncio
import json
import logging
import os
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.utils import timezone

from streams.models import RoomEvent, RoomState

logger = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
# The consumer method that forwards a pre-encoded frame to its socket.
LAYER_MESSAGE_TYPE = "room.frame"
# Several pre-encoded frames in one layer message, forwarded in order (a batch of
# gifts is one PUBLISH, not one per gift).
LAYER_FRAMES_TYPE = "room.frames"

# Replayable events (server -> everyone in the room).
CHAT_MESSAGE = "chat.message"
CHAT_DELETED = "chat.deleted"
CHAT_CLEARED = "chat.cleared"
CHAT_USER_PURGED = "chat.user_purged"
ROOM_MODES = "room.modes"
ROOM_NOTICE = "room.notice"
STREAM_STATUS = "stream.status"
STREAM_UPDATED = "stream.updated"
POLL_OPENED = "poll.opened"
POLL_CLOSED = "poll.closed"
REQUEST_ADDED = "request.added"
REQUEST_UPDATED = "request.updated"

# Momentary events.
PRESENCE_COUNT = "presence.count"
PRESENCE_JOINED = "presence.joined"
PRESENCE_LEFT = "presence.left"
REACTION_BURST = "reaction.burst"
ROOM_ENTRANCE = "room.entrance"
POLL_RESULTS = "poll.results"
AUTOMOD_HELD = "automod.held"
AUTOMOD_RESOLVED = "automod.resolved"
USER_RESTRICTED = "user.restricted"


def room_group(stream_id: int) -> str:
    """Everyone connected to the room."""
    return f"stream.{stream_id}"


def moderators_group(stream_id: int) -> str:
    """The host and the moderators connected to the room (held messages, viewer lists)."""
    return f"stream.{stream_id}.mods"


def user_group(stream_id: int, user_id: int) -> str:
    """All of one signed-in user's sockets in the room (their tabs, on any server)."""
    return f"stream.{stream_id}.user.{user_id}"


def build_frame(event_type: str, **fields) -> dict:
    return {"type": event_type, "v": PROTOCOL_VERSION, **fields}


def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"), default=str)


def layer_message(frame: dict) -> dict:
    return {"type": LAYER_MESSAGE_TYPE, "text": encode(frame)}


def layer_frames_message(frames: list[dict]) -> dict:
    return {"type": LAYER_FRAMES_TYPE, "texts": [encode(frame) for frame in frames]}


def frame_texts(message: dict) -> list[str] | None:
    """The encoded frames a layer message carries, or None for other messages."""
    if message["type"] == LAYER_MESSAGE_TYPE:
        return [message["text"]]
    if message["type"] == LAYER_FRAMES_TYPE:
        return message["texts"]
    return None


class _LayerLoop:
    """One event loop per process, in a thread, for sync code's sends to a Redis
    channel layer. `async_to_sync` would start a fresh loop for every send, and the
    layer a fresh Redis connection for every loop: about 10 ms a send, where a gift
    or a chat message needs one PUBLISH. Sends wait for each other, so frames keep
    their order."""

    SEND_TIMEOUT_SECONDS = 5

    def __init__(self):
        self._lock = threading.Lock()
        self._loop = None
        self._pid = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            # A forked child (a Celery worker) has the loop object but not its thread.
            if self._loop is None or self._pid != os.getpid():
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                threading.Thread(
                    target=self._loop.run_forever, name="channel-layer-sends", daemon=True
                ).start()
            return self._loop

    def send(self, layer, group: str, message: dict) -> None:
        future = asyncio.run_coroutine_threadsafe(
            layer.group_send(group, message), self._running_loop()
        )
        future.result(timeout=self.SEND_TIMEOUT_SECONDS)


_layer_loop = _LayerLoop()


def send_to_group(group: str, frame: dict) -> None:
    """Send now, from sync code. A channel-layer failure is logged, not raised: the
    change it reports is already committed, and clients recover it by resuming."""
    _send_layer_message(group, layer_message(frame), about=frame.get("type"))


def send_frames_to_group(group: str, frames: list[dict]) -> None:
    """Send several frames now, in order, as one layer message (as send_to_group)."""
    if frames:
        _send_layer_message(group, layer_frames_message(frames), about=f"{len(frames)} frames")


def _send_layer_message(group: str, message: dict, *, about) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # Its queues belong to the loop the consumers run on (one process).
            async_to_sync(layer.group_send)(group, message)
        else:
            _layer_loop.send(layer, group, message)
    except Exception:
        logger.exception("Could not broadcast %s to %s", about, group)


async def asend_to_group(group: str, frame: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, layer_message(frame))


def broadcast_on_commit(group: str, frame: dict) -> None:
    """Send once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_to_group(group, frame))


def take_next_seq(*, stream_id: int) -> int:
    """The room's next event number. The counter row stays locked until the caller's
    transaction ends, so numbers are gap-free and in commit order."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("room events need the caller's transaction")
    state, _ = RoomState.objects.select_for_update().get_or_create(stream_id=stream_id)
    state.last_seq += 1
    state.save(update_fields=["last_seq"])
    return state.last_seq


def append_room_event(*, stream_id: int, event_type: str, seq: int | None = None, **fields) -> dict:
    """Number a replayable event, store it for resume and broadcast it after commit.

    Runs inside the transaction that makes the change the event reports. Pass `seq`
    when the change itself needed the number first (`take_next_seq`).
    """
    if seq is None:
        seq = take_next_seq(stream_id=stream_id)
    frame = build_frame(event_type, seq=seq, at=timezone.now().isoformat(), **fields)
    RoomEvent.objects.create(stream_id=stream_id, seq=seq, frame=frame)
    broadcast_on_commit(room_group(stream_id), frame)
    return frame


# --- Payloads: the objects frames carry ---------------------------------------------


def user_payload(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.name}


def message_payload(message) -> dict:
    author = user_payload(message.author) or {"id": None, "username": "", "name": ""}
    return {
        "id": message.pk,
        "seq": message.seq,
        "body": message.body,
        "mentions": message.mentions,
        "created_at": message.created_at.isoformat(),
        "author": {**author, "badges": message.badges},
    }


def poll_payload(poll, *, your_vote: int | None = None) -> dict:
    return {
        "id": poll.pk,
        "question": poll.question,
        "status": poll.status,
        "closes_at": poll.closes_at.isoformat(),
        "total_votes": poll.total_votes,
        "your_vote": your_vote,
        "options": [
            {"id": option.pk, "text": option.text, "votes": option.votes}
            for option in poll.options.all()
        ],
    }


def request_payload(request, *, you_upvoted: bool = False) -> dict:
    return {
        "id": request.pk,
        "text": request.text,
        "status": request.status,
        "upvotes": request.upvotes,
        "you_upvoted": you_upvoted,
        "created_at": request.created_at.isoformat(),
        "author": user_payload(request.author),
    }
