"""The studio's publishing socket: `/ws/streams/<id>/publish/`.

Protocol: docs/realtime-protocol.md.

Binary frames are MediaRecorder WebM chunks; text frames are JSON control messages.
The consumer authenticates, claims the stream through `publishing` services, pipes
chunks into a BrowserIngest and always reaps ffmpeg when the socket goes away.
"""

import asyncio
import contextlib
import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from halobuzz.core.exceptions import ApplicationError
from streams.ingest import BrowserIngest, IngestFailed
from streams.services import media, publishing

logger = logging.getLogger(__name__)

# Close codes (4000-4999 are the application's): the studio shows the error frame's
# message and does not retry on REFUSED; it reconnects after DROPPED.
CLOSE_REFUSED = 4403
CLOSE_FINISHED = 4000
CLOSE_DROPPED = 4408
CHECK_IN_SECONDS = 5


class StreamPublishConsumer(AsyncWebsocketConsumer):
    stream_id: int
    token: str = ""
    ingest: BrowserIngest | None = None
    stopped_by_host = False
    finished = False

    async def connect(self):
        self.stream_id = int(self.scope["url_route"]["kwargs"]["stream_id"])
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.refuse("not_signed_in", _("Sign in to go live."))
            return
        try:
            stream, self.token = await database_sync_to_async(publishing.claim_browser_publisher)(
                stream_id=self.stream_id, user=user
            )
        except ApplicationError as error:
            await self.refuse(error.code, error.message)
            return
        recording_part = None
        if stream.record:
            recording_part = media.recording_part_path(stream)
            await database_sync_to_async(media.add_recording_part)(
                stream=stream, path=recording_part
            )
        self.ingest = BrowserIngest(public_id=stream.public_id, recording_part=recording_part)
        await self.ingest.start()
        self.last_chunk_at = time.monotonic()
        self.watchdog = asyncio.create_task(self.watch())
        await self.send_json(
            {
                "type": "publish.ready",
                "stream_id": stream.pk,
                "watch_url": stream.get_absolute_url(),
                "playlist_url": stream.playlist_url,
            }
        )

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def send_error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": str(message)})

    async def refuse(self, code: str, message: str) -> None:
        await self.send_error(code, message)
        await self.close(code=CLOSE_REFUSED)

    async def receive(self, text_data=None, bytes_data=None):
        if self.ingest is None or self.finished:
            return
        if bytes_data is not None:
            await self.receive_chunk(bytes_data)
            return
        try:
            message = json.loads(text_data or "")
        except json.JSONDecodeError:
            await self.send_error("invalid_frame", _("Control messages must be JSON."))
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "publish.stop":
            self.stopped_by_host = True
            await self.finish()
            await self.send_json({"type": "publish.ended"})
            await self.close(code=CLOSE_FINISHED)
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_error("unknown_type", _("Unknown message type."))

    async def receive_chunk(self, chunk: bytes) -> None:
        if len(chunk) > settings.BROWSER_INGEST_MAX_CHUNK_BYTES:
            await self.send_error("chunk_too_large", _("A video chunk was too large."))
            return
        self.last_chunk_at = time.monotonic()
        try:
            await self.ingest.feed(chunk)
        except IngestFailed as error:
            logger.info("stream %s: ingest failed: %s %s", self.stream_id, error, error.detail)
            await self.fail(
                "bad_media", _("The server could not read your video. Reload and try again.")
            )

    async def watch(self) -> None:
        """Cut off a stalled upload, notice ffmpeg dying, and check in with the database
        so a stream ended elsewhere (moderator, another tab) stops here too."""
        stall = settings.BROWSER_INGEST_STALL_SECONDS
        announced_live = False
        while not self.finished:
            await asyncio.sleep(min(1.0, stall / 3))
            if self.finished:
                return
            if not self.ingest.running:
                await self.fail(
                    "bad_media", _("The server could not read your video. Reload and try again.")
                )
                return
            if time.monotonic() - self.last_chunk_at > stall:
                await self.fail(
                    "stalled", _("No video arrived for a while; the stream was paused.")
                )
                return
            if not announced_live and self.ingest.playlist.exists():
                announced_live = True
                await self.send_json({"type": "publish.live"})
            now = time.monotonic()
            if now - getattr(self, "checked_in_at", 0) >= CHECK_IN_SECONDS:
                self.checked_in_at = now
                still_ours = await database_sync_to_async(publishing.touch_browser_publisher)(
                    stream_id=self.stream_id, token=self.token
                )
                if not still_ours:
                    self.stopped_by_host = True  # nothing to interrupt: it has already ended
                    await self.fail("stream_ended", _("This stream was ended."))
                    return

    async def fail(self, code: str, message: str) -> None:
        await self.finish()
        with contextlib.suppress(Exception):
            await self.send_error(code, message)
            await self.close(code=CLOSE_DROPPED if code == "stalled" else CLOSE_REFUSED)

    async def finish(self) -> None:
        """Stop ffmpeg and hand the stream back: ended on Stop, interrupted otherwise."""
        if self.finished or self.ingest is None:
            return
        self.finished = True
        watchdog = getattr(self, "watchdog", None)
        if watchdog is not None and watchdog is not asyncio.current_task():
            watchdog.cancel()
        await self.ingest.stop()
        await database_sync_to_async(publishing.release_browser_publisher)(
            stream_id=self.stream_id, token=self.token, stopped=self.stopped_by_host
        )

    async def disconnect(self, code):
        await self.finish()
