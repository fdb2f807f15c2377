"""Chat in the live room: posting, AutoMod review, deleting and clearing messages.

A message is checked in a fixed order, cheapest first: its text, who is sending,
the chat modes, the sender's rate, blocked terms, then AutoMod. Only a message that
passes all of them is numbered and broadcast (`events.append_room_event`).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from halobuzz.core import ratelimit
from halobuzz.users.models import Follow, User
from streams import badges, events, subscribers
from streams.exceptions import RoomError, RoomForbidden, RoomItemNotFound
from streams.models import ChatMessage, ChatSettings, Stream
from streams.models.room import CHAT_MESSAGE_MAX_LENGTH
from streams.selectors import room as room_selectors
from trust import automod
from trust import selectors as trust_selectors
from trust import services as trust_services
from trust.models import ModerationAction
from trust.text import find_blocked_term

MENTION_PATTERN = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})\b")
EMOTE_PATTERN = re.compile(r":([a-z0-9_]{2,24}):")
# Controls and format characters (bidi overrides, zero-width joiners...) that could
# hide or reorder text; newlines become spaces.
_STRIPPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs"}


@dataclass(frozen=True)
class PostedMessage:
    message: ChatMessage
    held: bool


def clean_body(body: str) -> str:
    """Collapse whitespace and drop invisible control characters."""
    body = "".join(
        " " if character in "\r\n\t" else character
        for character in str(body)
        if character in "\r\n\t" or unicodedata.category(character) not in _STRIPPED_CATEGORIES
    )
    return re.sub(r" {2,}", " ", body).strip()


def _get_stream(stream_id: int) -> Stream:
    try:
        return Stream.objects.select_related("host").get(pk=stream_id)
    except Stream.DoesNotExist as error:
        raise RoomItemNotFound(_("This stream does not exist.")) from error


def ensure_can_take_part(*, user, stream: Stream) -> None:
    """Raise the RoomError that says why `user` may not act in this room."""
    restriction = room_selectors.get_chat_restriction(user=user, stream=stream)
    if restriction is None:
        return
    retry_after = None
    if restriction.until is not None:
        retry_after = max(0.0, (restriction.until - timezone.now()).total_seconds())
    raise RoomError(restriction.message, code=restriction.code, retry_after=retry_after)


def _check_modes(*, author, stream: Stream, chat_settings: ChatSettings, body: str) -> None:
    if chat_settings.emote_only and not _is_emotes_only(body=body, stream=stream):
        raise RoomError(_("Emote-only mode: send emotes only."), code="emote_only")
    if chat_settings.followers_only_minutes is not None:
        followed_since = (
            Follow.objects.filter(follower=author, followee_id=stream.host_id)
            .values_list("created_at", flat=True)
            .first()
        )
        minutes = chat_settings.followers_only_minutes
        needed = timedelta(minutes=minutes)
        if followed_since is None or timezone.now() - followed_since < needed:
            raise RoomError(
                ngettext(
                    "Followers-only mode: follow the host for %(minutes)d minute to chat.",
                    "Followers-only mode: follow the host for %(minutes)d minutes to chat.",
                    minutes,
                )
                % {"minutes": minutes}
                if minutes
                else _("Followers-only mode: follow the host to chat."),
                code="followers_only",
            )
    if chat_settings.subscribers_only and not subscribers.is_subscriber(
        channel=stream.host, user=author
    ):
        raise RoomError(
            _("Subscribers-only mode: subscribe to %(name)s to chat.") % {"name": stream.host.name},
            code="subscribers_only",
            subscribe_url=subscribers.subscribe_path(channel=stream.host),
        )
    if chat_settings.slow_mode_seconds:
        last_sent = (
            ChatMessage.objects.filter(
                stream=stream,
                author=author,
                status__in=[ChatMessage.Status.VISIBLE, ChatMessage.Status.HELD],
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last_sent is not None:
            wait = chat_settings.slow_mode_seconds - (timezone.now() - last_sent).total_seconds()
            if wait > 0:
                raise RoomError(
                    _("Slow mode: you can send again in %(seconds)d s.")
                    % {"seconds": int(wait + 0.999)},
                    code="slow_mode",
                    retry_after=wait,
                )


def _is_emotes_only(*, body: str, stream: Stream) -> bool:
    codes = {emote["code"] for emote in room_selectors.list_room_emotes(channel_id=stream.host_id)}
    found = EMOTE_PATTERN.findall(body)
    leftover = EMOTE_PATTERN.sub("", body).strip()
    return bool(found) and not leftover and all(code in codes for code in found)


def _check_rate(*, author) -> None:
    wait = ratelimit.consume(
        key=f"chat:{author.pk}",
        per_second=settings.CHAT_MESSAGES_PER_SECOND,
        burst=settings.CHAT_MESSAGE_BURST,
    )
    if wait > 0:
        raise RoomError(
            _("You are sending messages too fast. Try again in %(seconds)s s.")
            % {"seconds": f"{wait:.1f}"},
            code="rate_limited",
            retry_after=wait,
        )


def _mentioned_usernames(body: str) -> list[str]:
    names = {name.lower() for name in MENTION_PATTERN.findall(body)}
    if not names:
        return []
    # Usernames keep the case they were chosen with; "@ravi" names "Ravi".
    found = User.objects.annotate(username_lower=Lower("username")).filter(
        username_lower__in=names, is_active=True
    )
    return sorted(found.values_list("username", flat=True))[:10]


def post_chat_message(*, stream_id: int, author, body: str) -> PostedMessage:
    """Post a message to a room. Raises RoomError with the protocol's code when the
    message is refused; a message AutoMod holds is returned with `held=True` and
    reaches the room only when a moderator approves it."""
    body = clean_body(body)
    if not body:
        raise RoomError(_("Type a message first."), code="message_empty")
    if len(body) > CHAT_MESSAGE_MAX_LENGTH:
        raise RoomError(
            _("Messages can be at most %(limit)d characters.") % {"limit": CHAT_MESSAGE_MAX_LENGTH},
            code="message_too_long",
        )
    stream = _get_stream(stream_id)
    if stream.status == Stream.Status.ENDED:
        raise RoomError(_("Chat is closed: this stream has ended."), code="chat_closed")
    ensure_can_take_part(user=author, stream=stream)
    roles = room_selectors.get_room_roles(user=author, stream=stream)
    privileged = room_selectors.can_moderate(roles)
    chat_settings = room_selectors.get_chat_settings(channel_id=stream.host_id)
    if not privileged:
        _check_modes(author=author, stream=stream, chat_settings=chat_settings, body=body)
    _check_rate(author=author)
    blocked = find_blocked_term(body, trust_selectors.list_blocked_terms(channel=stream.host))
    if blocked is not None:
        raise RoomError(
            _("Your message contains a word this chat does not allow."), code="blocked_term"
        )
    verdict = None if privileged else automod.score_message(body)
    flagged = verdict is not None and verdict.score >= chat_settings.automod_threshold
    fields = {
        "stream": stream,
        "author": author,
        "body": body,
        "mentions": _mentioned_usernames(body),
        "badges": badges.badges_for(user=author, stream=stream, roles=roles),
        "automod_score": verdict.score if verdict else None,
        "automod_reason": verdict.reason if verdict else "",
    }
    if flagged and chat_settings.automod_action == ChatSettings.AutoModAction.REJECT:
        _record_automod(kind=ModerationAction.Kind.AUTOMOD_REJECT, status="rejected", **fields)
        raise RoomError(
            _("AutoMod blocked your message. Please keep the chat friendly."),
            code="automod_rejected",
        )
    if flagged:
        message = _record_automod(kind=ModerationAction.Kind.AUTOMOD_HOLD, status="held", **fields)
        events.broadcast_on_commit(
            events.moderators_group(stream.pk),
            events.build_frame(
                events.AUTOMOD_HELD,
                message=events.message_payload(message),
                score=round(verdict.score, 3),
                reason=verdict.reason,
            ),
        )
        return PostedMessage(message=message, held=True)
    with transaction.atomic():
        seq = events.take_next_seq(stream_id=stream.pk)
        message = ChatMessage.objects.create(seq=seq, status=ChatMessage.Status.VISIBLE, **fields)
        _append_message_event(message)
    return PostedMessage(message=message, held=False)


@transaction.atomic
def _record_automod(*, kind: str, status: str, **fields) -> ChatMessage:
    message = ChatMessage.objects.create(status=status, **fields)
    trust_services.record_moderation_action(
        kind=kind,
        target_user=fields["author"],
        channel=fields["stream"].host,
        stream=fields["stream"],
        chat_message=message,
        reason=fields["automod_reason"],
        details={"score": round(fields["automod_score"], 3)},
    )
    return message


def _publish(message: ChatMessage) -> None:
    """Number a held message that has become visible and broadcast it (caller's
    transaction)."""
    message.seq = events.take_next_seq(stream_id=message.stream_id)
    message.status = ChatMessage.Status.VISIBLE
    message.save(update_fields=["seq", "status"])
    _append_message_event(message)


def _append_message_event(message: ChatMessage) -> None:
    events.append_room_event(
        stream_id=message.stream_id,
        event_type=events.CHAT_MESSAGE,
        seq=message.seq,
        message=events.message_payload(message),
    )


def _moderator_context(*, actor, stream_id: int) -> tuple[Stream, frozenset[str]]:
    stream = _get_stream(stream_id)
    roles = room_selectors.get_room_roles(user=actor, stream=stream)
    if not room_selectors.can_moderate(roles):
        raise RoomForbidden()
    return stream, roles


def _get_room_message(*, stream: Stream, message_id, statuses) -> ChatMessage:
    try:
        return (
            ChatMessage.objects.select_for_update(of=("self",))
            .select_related("author")
            .get(pk=int(message_id), stream=stream, status__in=statuses)
        )
    except (ChatMessage.DoesNotExist, TypeError, ValueError) as error:
        raise RoomItemNotFound() from error


@transaction.atomic
def delete_chat_message(*, actor, stream_id: int, message_id: int, reason: str = "") -> None:
    stream, _roles = _moderator_context(actor=actor, stream_id=stream_id)
    message = _get_room_message(
        stream=stream, message_id=message_id, statuses=[ChatMessage.Status.VISIBLE]
    )
    message.status = ChatMessage.Status.DELETED
    message.moderated_by = actor
    message.moderated_at = timezone.now()
    message.save(update_fields=["status", "moderated_by", "moderated_at"])
    trust_services.record_moderation_action(
        kind=ModerationAction.Kind.DELETE_MESSAGE,
        actor=actor,
        target_user=message.author,
        channel=stream.host,
        stream=stream,
        chat_message=message,
        reason=reason[:200],
    )
    events.append_room_event(
        stream_id=stream.pk, event_type=events.CHAT_DELETED, message_id=message.pk
    )


@transaction.atomic
def remove_reported_message(*, message_id: int, moderator) -> ChatMessage | None:
    """Take a message off its room after staff decided a report against it.

    The caller (``trust.services.cases``) checks the moderator's permission and logs
    the decision; returns None when the message was already gone.
    """
    message = (
        ChatMessage.objects.select_for_update(of=("self",))
        .filter(pk=message_id, status=ChatMessage.Status.VISIBLE)
        .first()
    )
    if message is None:
        return None
    message.status = ChatMessage.Status.DELETED
    message.moderated_by = moderator
    message.moderated_at = timezone.now()
    message.save(update_fields=["status", "moderated_by", "moderated_at"])
    events.append_room_event(
        stream_id=message.stream_id, event_type=events.CHAT_DELETED, message_id=message.pk
    )
    return message


@transaction.atomic
def restore_message(*, message_id: int) -> bool:
    """Show a removed message again (an appeal overturned its removal). It returns to
    the room's history; rooms open now see it after a reload."""
    return bool(
        ChatMessage.objects.filter(pk=message_id, status=ChatMessage.Status.DELETED).update(
            status=ChatMessage.Status.VISIBLE, moderated_at=timezone.now()
        )
    )


@transaction.atomic
def clear_chat(*, actor, stream_id: int) -> int:
    stream, _roles = _moderator_context(actor=actor, stream_id=stream_id)
    cleared = ChatMessage.objects.filter(stream=stream, status=ChatMessage.Status.VISIBLE).update(
        status=ChatMessage.Status.DELETED, moderated_by=actor, moderated_at=timezone.now()
    )
    trust_services.record_moderation_action(
        kind=ModerationAction.Kind.CLEAR_CHAT,
        actor=actor,
        channel=stream.host,
        stream=stream,
        details={"messages": cleared},
    )
    events.append_room_event(stream_id=stream.pk, event_type=events.CHAT_CLEARED)
    return cleared


def hide_messages_of(*, stream: Stream, user) -> int:
    """Take a timed-out or banned user's messages off the room (caller's transaction)."""
    hidden = ChatMessage.objects.filter(
        stream=stream, author=user, status=ChatMessage.Status.VISIBLE
    ).update(status=ChatMessage.Status.DELETED, moderated_at=timezone.now())
    events.append_room_event(
        stream_id=stream.pk, event_type=events.CHAT_USER_PURGED, user_id=user.pk
    )
    return hidden


@transaction.atomic
def approve_held_message(*, actor, stream_id: int, message_id: int) -> ChatMessage:
    stream, _roles = _moderator_context(actor=actor, stream_id=stream_id)
    message = _get_room_message(
        stream=stream, message_id=message_id, statuses=[ChatMessage.Status.HELD]
    )
    message.moderated_by = actor
    message.moderated_at = timezone.now()
    message.save(update_fields=["moderated_by", "moderated_at"])
    _publish(message)
    _record_review(actor=actor, stream=stream, message=message, approved=True)
    return message


@transaction.atomic
def deny_held_message(*, actor, stream_id: int, message_id: int) -> ChatMessage:
    stream, _roles = _moderator_context(actor=actor, stream_id=stream_id)
    message = _get_room_message(
        stream=stream, message_id=message_id, statuses=[ChatMessage.Status.HELD]
    )
    message.status = ChatMessage.Status.DENIED
    message.moderated_by = actor
    message.moderated_at = timezone.now()
    message.save(update_fields=["status", "moderated_by", "moderated_at"])
    _record_review(actor=actor, stream=stream, message=message, approved=False)
    return message


def _record_review(*, actor, stream: Stream, message: ChatMessage, approved: bool) -> None:
    trust_services.record_moderation_action(
        kind=(
            ModerationAction.Kind.APPROVE_MESSAGE
            if approved
            else ModerationAction.Kind.DENY_MESSAGE
        ),
        actor=actor,
        target_user=message.author,
        channel=stream.host,
        stream=stream,
        chat_message=message,
    )
    events.broadcast_on_commit(
        events.moderators_group(stream.pk),
        events.build_frame(
            events.AUTOMOD_RESOLVED,
            message_id=message.pk,
            outcome="approved" if approved else "denied",
        ),
    )
