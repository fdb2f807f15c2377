"""Room fan-out inside one server process: one group membership per room, one loop
over the room's sockets, and ordered, bounded delivery to each socket.

Channels gives every consumer a channel of its own, so a chat message for 1,000
viewers becomes 1,000 queue entries, 1,000 task wake-ups and 1,000 trips through
Channels' dispatch, which also hops to the database thread before every message
(docs/benchmarks.md, "Live room: chat fan-out"). Instead each process joins a room's
group once, with a channel of its own, and hands each frame to the room's sockets
here in one loop.

Each socket has an `Outbox`. A frame is written at once when the socket can take it
(uvicorn's send returns without waiting unless the client stopped reading); otherwise
it queues, in order, behind the write in flight. A socket more than
ROOM_SOCKET_BACKLOG frames behind is closed with `CLOSE_TOO_SLOW`: its client
reconnects with `last_seq` and replays what it missed from the room's stored events,
so one slow phone never holds up the room or grows the server's memory without bound.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from channels.layers import get_channel_layer

from streams import events

logger = logging.getLogger(__name__)

# Close code for a socket that fell too far behind (the client resumes).
CLOSE_TOO_SLOW = 4408
# A room this process no longer has sockets in keeps its membership this long, so a
# viewer reloading the page does not make the process leave and rejoin the group.
LINGER_SECONDS = 30.0
# RedisChannelLayer forgets group members after a day (its group_expiry); a room
# can stay open longer than that.
GROUP_REFRESH_SECONDS = 3600.0


class Outbox:
    """Frames for one socket, written in order; see the module docstring."""

    def __init__(
        self,
        *,
        send: Callable[[dict], Awaitable[None]],
        limit: int,
        on_overflow: Callable[[], None],
    ):
        self._send = send
        self._limit = limit
        self._on_overflow = on_overflow
        # Frames wait here until `open()` (the welcome goes first) and while a write
        # is in flight; None when a frame can be written at once.
        self._waiting: deque[str] | None = deque()
        self._drainer: asyncio.Task | None = None
        self._in_flight: asyncio.Task | None = None
        self.closed = False

    def open(self) -> None:
        """Start writing, beginning with the frames that arrived before."""
        if self.closed or self._drainer is not None:
            return
        if self._waiting:
            self._drainer = asyncio.create_task(self._drain(None))
        else:
            self._waiting = None

    def push(self, text: str) -> None:
        if self.closed:
            return
        if self._waiting is not None:
            if len(self._waiting) >= self._limit:
                self.close()
                self._on_overflow()
                return
            self._waiting.append(text)
            return
        # Eager: the write runs now and, in the usual case, finishes without ever
        # being scheduled; only a socket whose client stopped reading leaves it pending.
        # (Python 3.12.1 needs the loop passed when starting eagerly.)
        write = asyncio.Task(self._write(text), loop=asyncio.get_running_loop(), eager_start=True)
        if write.done():
            if write.cancelled() or write.exception() is not None:
                self.closed = True
            return
        self._waiting = deque()
        self._in_flight = write
        self._drainer = asyncio.create_task(self._drain(write))

    def close(self) -> None:
        """Drop what is waiting, including a write the client never took."""
        self.closed = True
        self._waiting = None
        for task in (self._in_flight, self._drainer):
            if task is not None:
                task.cancel()
        self._in_flight = self._drainer = None

    def _write(self, text: str) -> Awaitable[None]:
        return self._send({"type": "websocket.send", "text": text})

    async def _drain(self, in_flight: asyncio.Task | None) -> None:
        try:
            if in_flight is not None:
                await in_flight
                self._in_flight = None
            while self._waiting:
                await self._write(self._waiting.popleft())
        except asyncio.CancelledError:
            raise
        except Exception:
            # The socket went away; its disconnect handler cleans up.
            self.closed = True
        if not self.closed:
            self._waiting = None
        self._drainer = None


class _Room:
    def __init__(self, stream_id: int):
        self.stream_id = stream_id
        self.outboxes: set[Outbox] = set()
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.opening: asyncio.Task | None = None
        self.tasks: list[asyncio.Task] = []
        self.linger: asyncio.Task | None = None


class RoomHub:
    """This event loop's rooms (one hub per server process; tests get one per loop)."""

    def __init__(self):
        self.rooms: dict[int, _Room] = {}

    async def join(self, *, stream_id: int, outbox: Outbox) -> None:
        """Deliver the room's frames to `outbox` from now on. Returns once this process
        is in the room's group, so nothing broadcast after it returns is missed."""
        room = self.rooms.get(stream_id)
        if room is None:
            room = self.rooms[stream_id] = _Room(stream_id)
            room.opening = asyncio.create_task(self._open(room))
        if room.linger is not None:
            room.linger.cancel()
            room.linger = None
        room.outboxes.add(outbox)
        try:
            await asyncio.shield(room.opening)
        except Exception:
            room.outboxes.discard(outbox)
            raise

    def leave(self, *, stream_id: int, outbox: Outbox) -> None:
        room = self.rooms.get(stream_id)
        if room is None:
            return
        room.outboxes.discard(outbox)
        if not room.outboxes and room.linger is None:
            room.linger = asyncio.create_task(self._close_after_linger(room))

    async def _open(self, room: _Room) -> None:
        try:
            # The consumers' prefix: RedisChannelLayer pops one Redis list per prefix,
            # for whichever local receiver holds its single lock, so a channel on
            # another prefix would wait while the room's consumers hold it.
            room.channel = await room.layer.new_channel()
            await room.layer.group_add(events.room_group(room.stream_id), room.channel)
        except BaseException:
            if self.rooms.get(room.stream_id) is room:
                del self.rooms[room.stream_id]
            raise
        room.tasks = [
            asyncio.create_task(self._pump(room)),
            asyncio.create_task(self._refresh_membership(room)),
        ]

    async def _pump(self, room: _Room) -> None:
        while True:
            try:
                message = await room.layer.receive(room.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Room %s: receiving from the channel layer", room.stream_id)
                await asyncio.sleep(1)
                continue
            texts = events.frame_texts(message) if "type" in message else None
            if not texts:
                continue
            for outbox in tuple(room.outboxes):
                for text in texts:
                    outbox.push(text)

    async def _refresh_membership(self, room: _Room) -> None:
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            with contextlib.suppress(Exception):
                await room.layer.group_add(events.room_group(room.stream_id), room.channel)

    async def _close_after_linger(self, room: _Room) -> None:
        await asyncio.sleep(LINGER_SECONDS)
        room.linger = None
        if room.outboxes or self.rooms.get(room.stream_id) is not room:
            return
        del self.rooms[room.stream_id]
        for task in room.tasks:
            task.cancel()
        try:
            await room.layer.group_discard(events.room_group(room.stream_id), room.channel)
        except Exception:
            logger.warning("Room %s: could not leave the group", room.stream_id, exc_info=True)
