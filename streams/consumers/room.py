"""The live room socket: `/ws/streams/<id>/` (protocol in docs/realtime-protocol.md).

The consumer parses and checks frames and calls one service or selector per frame.
The room's broadcasts reach its socket through this process's room hub
(`streams/consumers/hub.py`), already encoded; its own channel carries only frames
for this user or for moderators. Every refusal is an `error` frame; the socket stays
open.
"""

import asyncio
import json
import logging
import math
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from halobuzz.core.exceptions import ApplicationError
from halobuzz.core.ratelimit import TokenBucket
from halobuzz.core.websocket import SERVER_SEND
from streams import events, realtime
from streams.consumers import hub
from streams.exceptions import RoomError
from streams.models import Stream
from streams.selectors import room as room_selectors
from streams.services import chat, polls, presence, room_moderation, room_requests

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
REF_MAX_LENGTH = 40
# Taps beyond this per socket are dropped silently: a burst already shows them.
REACTIONS_PER_SECOND = 8
# How long a socket trusts its last "may take part" check for reactions.
PARTICIPATION_CHECK_SECONDS = 10


def _get_stream(stream_id: int) -> Stream | None:
    return Stream.objects.select_related("host").filter(pk=stream_id).first()


class RoomConsumer(AsyncWebsocketConsumer):
    stream: Stream | None = None
    user = None
    joined = False

    # --- Connection ------------------------------------------------------------------

    async def connect(self):
        stream_id = int(self.scope["url_route"]["kwargs"]["stream_id"])
        user = self.scope.get("user")
        self.user = user if user is not None and user.is_authenticated else None
        self.stream = await database_sync_to_async(_get_stream)(stream_id)
        await self.accept()
        if self.stream is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.frame_bucket = TokenBucket(
            per_second=settings.ROOM_FRAMES_PER_SECOND, burst=settings.ROOM_FRAME_BURST
        )
        self.reaction_bucket = TokenBucket(
            per_second=REACTIONS_PER_SECOND, burst=REACTIONS_PER_SECOND
        )
        self.may_react_until = 0.0
        roles = await database_sync_to_async(room_selectors.get_room_roles)(
            user=self.user, stream=self.stream
        )
        self.outbox = hub.Outbox(
            send=self.scope.get(SERVER_SEND, self.base_send),
            limit=settings.ROOM_SOCKET_BACKLOG,
            on_overflow=self._fell_behind,
        )
        # The room's frames come through this process's hub; this socket's own
        # channel carries only what is for this user or for moderators.
        self.personal_groups = []
        if self.user is not None:
            self.personal_groups.append(events.user_group(self.stream.pk, self.user.pk))
        if room_selectors.can_moderate(roles):
            self.personal_groups.append(events.moderators_group(self.stream.pk))
        # Join before reading the welcome, so no event falls in between; frames that
        # arrive meanwhile wait in the outbox until the welcome is sent.
        runtime = realtime.get_runtime()
        await runtime.hub.join(stream_id=self.stream.pk, outbox=self.outbox)
        self.joined = True
        for group in self.personal_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await database_sync_to_async(presence.join_room)(
            stream=self.stream, channel_name=self.channel_name, user=self.user
        )
        runtime.keeper.add(self.channel_name)
        runtime.presence.changed(self.stream.pk)
        await self.send_welcome(last_seq=self._last_seq_from_query())
        self.outbox.open()

    def _last_seq_from_query(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            return int(query["last_seq"][0])
        except (KeyError, ValueError, IndexError):
            return None

    async def send_welcome(self, *, last_seq: int | None) -> None:
        frames = await database_sync_to_async(room_selectors.build_welcome)(
            stream=self.stream, user=self.user, last_seq=last_seq
        )
        for frame in frames:
            await self.send(text_data=events.encode(frame))

    async def disconnect(self, code):
        if not self.joined:
            return
        self.joined = False
        runtime = realtime.get_runtime()
        self.outbox.close()
        runtime.hub.leave(stream_id=self.stream.pk, outbox=self.outbox)
        for group in self.personal_groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        runtime.keeper.discard(self.channel_name)
        try:
            await database_sync_to_async(presence.leave_room)(channel_name=self.channel_name)
        finally:
            runtime.presence.changed(self.stream.pk)

    async def dispatch(self, message):
        # Pre-encoded frames skip Channels' dispatch, which first hops to the database
        # thread (close_old_connections) for every message; they touch no database.
        texts = events.frame_texts(message)
        if texts is None:
            await super().dispatch(message)
            return
        for text in texts:
            self.outbox.push(text)

    def _fell_behind(self) -> None:
        logger.info("room %s: closing a socket that fell behind", self.stream.pk)
        self._closing = asyncio.create_task(self.close(code=hub.CLOSE_TOO_SLOW))

    # --- Frames from the client ------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.stream is None:
            return
        wait = self.frame_bucket.take()
        if wait:
            await self.send_error("flood", _("Slow down: too many messages."), retry_after=wait)
            return
        if text_data is None:
            await self.send_error("malformed", _("Frames must be JSON text."))
            return
        if len(text_data) > settings.ROOM_FRAME_MAX_BYTES or (
            len(text_data.encode()) > settings.ROOM_FRAME_MAX_BYTES
        ):
            await self.send_error("frame_too_large", _("That message is too large."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.send_error("malformed", _("Frames must be JSON text."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("malformed", _("A frame is a JSON object with a type."))
            return
        ref = frame.get("ref")
        if ref is not None and (not isinstance(ref, str) or len(ref) > REF_MAX_LENGTH):
            await self.send_error("invalid", _("ref must be a short string."))
            return
        handler_name = HANDLERS.get(frame["type"])
        if handler_name is None:
            await self.send_error("unknown_type", _("Unknown message type."), ref=ref)
            return
        if handler_name not in OPEN_TO_VISITORS and self.user is None:
            await self.send_error("not_signed_in", _("Sign in to take part."), ref=ref)
            return
        try:
            await getattr(self, handler_name)(frame, ref)
        except ApplicationError as error:
            await self.send_error(
                error.code,
                error.message,
                ref=ref,
                retry_after=error.extra.get("retry_after"),
                subscribe_url=error.extra.get("subscribe_url"),
            )
        except Exception:
            logger.exception("room %s: %s failed", self.stream.pk, frame["type"])
            await self.send_error(
                "server_error", _("Something went wrong. Try again in a moment."), ref=ref
            )

    async def send_json(self, frame: dict) -> None:
        await self.send(text_data=events.encode(frame))

    async def send_error(
        self, code: str, message, *, ref=None, retry_after=None, subscribe_url=None
    ) -> None:
        frame = events.build_frame("error", code=code, message=str(message))
        if ref is not None:
            frame["ref"] = ref
        if retry_after is not None:
            # Rounded up to a tenth: a client told "0.0" would retry at once and be
            # refused again.
            frame["retry_after"] = max(0.1, math.ceil(round(float(retry_after) * 10, 6)) / 10)
        if subscribe_url:
            frame["subscribe_url"] = subscribe_url
        await self.send_json(frame)

    async def reply(self, event_type: str, ref, **fields) -> None:
        frame = events.build_frame(event_type, **fields)
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)

    # --- Handlers (one service or selector each) -------------------------------------

    def _call(self, function, **kwargs):
        return database_sync_to_async(function)(stream_id=self.stream.pk, **kwargs)

    async def on_ping(self, frame, ref):
        await self.reply("pong", ref)

    async def on_resume(self, frame, ref):
        last_seq = frame.get("last_seq")
        if not isinstance(last_seq, int) or isinstance(last_seq, bool):
            raise RoomError(_("last_seq must be a number."), code="invalid")
        await self.send_welcome(last_seq=last_seq)

    async def on_chat_send(self, frame, ref):
        body = frame.get("body")
        if not isinstance(body, str):
            raise RoomError(_("body must be text."), code="invalid")
        posted = await self._call(chat.post_chat_message, author=self.user, body=body)
        if posted.held:
            await self.reply("chat.pending", ref, message_id=posted.message.pk)
        else:
            await self.reply("chat.ack", ref, message_id=posted.message.pk, seq=posted.message.seq)

    async def on_chat_delete(self, frame, ref):
        await self._call(
            chat.delete_chat_message,
            actor=self.user,
            message_id=frame.get("message_id"),
            reason=str(frame.get("reason") or ""),
        )

    async def on_chat_clear(self, frame, ref):
        await self._call(chat.clear_chat, actor=self.user)

    async def on_chat_timeout(self, frame, ref):
        await self._call(
            room_moderation.timeout_user,
            actor=self.user,
            user_id=frame.get("user_id"),
            seconds=frame.get("seconds"),
            reason=str(frame.get("reason") or ""),
        )

    async def on_chat_ban(self, frame, ref):
        await self._call(
            room_moderation.ban_user,
            actor=self.user,
            user_id=frame.get("user_id"),
            reason=str(frame.get("reason") or ""),
        )

    async def on_chat_unban(self, frame, ref):
        await self._call(room_moderation.unban_user, actor=self.user, user_id=frame.get("user_id"))

    async def on_set_modes(self, frame, ref):
        changes = {
            field: frame[field]
            for field in (
                "slow_mode_seconds",
                "followers_only_minutes",
                "emote_only",
                "subscribers_only",
            )
            if field in frame
        }
        await self._call(room_moderation.set_chat_modes, actor=self.user, **changes)

    async def on_automod_approve(self, frame, ref):
        await self._call(
            chat.approve_held_message, actor=self.user, message_id=frame.get("message_id")
        )

    async def on_automod_deny(self, frame, ref):
        await self._call(
            chat.deny_held_message, actor=self.user, message_id=frame.get("message_id")
        )

    async def on_reaction(self, frame, ref):
        kind = frame.get("kind")
        if kind not in room_selectors.REACTION_KINDS:
            raise RoomError(_("Unknown reaction."), code="invalid")
        if self.reaction_bucket.take():
            return
        now = time.monotonic()
        if now >= self.may_react_until:
            await database_sync_to_async(chat.ensure_can_take_part)(
                user=self.user, stream=self.stream
            )
            self.may_react_until = now + PARTICIPATION_CHECK_SECONDS
        realtime.get_runtime().reactions.add(self.stream.pk, kind)

    async def on_poll_create(self, frame, ref):
        await self._call(
            polls.create_poll,
            actor=self.user,
            question=frame.get("question"),
            options=frame.get("options"),
            duration_seconds=frame.get("duration_seconds"),
        )

    async def on_poll_vote(self, frame, ref):
        vote = await self._call(
            polls.vote_in_poll,
            voter=self.user,
            poll_id=frame.get("poll_id"),
            option_id=frame.get("option_id"),
        )
        await self.reply("poll.voted", ref, poll_id=vote.poll_id, option_id=vote.option_id)

    async def on_poll_close(self, frame, ref):
        await self._call(polls.close_poll, poll_id=_as_int(frame.get("poll_id")), actor=self.user)

    async def on_request_submit(self, frame, ref):
        await self._call(room_requests.submit_request, author=self.user, text=frame.get("text"))

    async def on_request_upvote(self, frame, ref):
        await self._call(
            room_requests.upvote_request, voter=self.user, request_id=frame.get("request_id")
        )

    async def on_request_resolve(self, frame, ref):
        await self._call(
            room_requests.resolve_request,
            actor=self.user,
            request_id=frame.get("request_id"),
            status=frame.get("status"),
        )

    async def on_presence_list(self, frame, ref):
        listing = await database_sync_to_async(room_selectors.get_room_viewer_list)(
            user=self.user, stream=self.stream
        )
        await self.reply("presence.list", ref, **listing)


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise RoomError(_("That is not a valid id."), code="invalid") from error


HANDLERS = {
    "ping": "on_ping",
    "room.resume": "on_resume",
    "chat.send": "on_chat_send",
    "chat.delete": "on_chat_delete",
    "chat.clear": "on_chat_clear",
    "chat.timeout": "on_chat_timeout",
    "chat.ban": "on_chat_ban",
    "chat.unban": "on_chat_unban",
    "room.set_modes": "on_set_modes",
    "automod.approve": "on_automod_approve",
    "automod.deny": "on_automod_deny",
    "reaction.send": "on_reaction",
    "poll.create": "on_poll_create",
    "poll.vote": "on_poll_vote",
    "poll.close": "on_poll_close",
    "request.submit": "on_request_submit",
    "request.upvote": "on_request_upvote",
    "request.resolve": "on_request_resolve",
    "presence.list": "on_presence_list",
}
OPEN_TO_VISITORS = {"on_ping", "on_resume"}
