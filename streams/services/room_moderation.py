"""Moderating a channel's chat: timeouts, bans, chat modes and who the moderators are.

Every action is one transaction that also writes its `ModerationAction`, so an action
and its log entry never exist without each other.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from halobuzz.users.models import User
from streams import events
from streams.exceptions import RoomError, RoomForbidden, RoomItemNotFound
from streams.models import (
    ChannelBan,
    ChannelModerator,
    ChatSettings,
    RegionalModerator,
    Stream,
)
from streams.models.room import BAN_REASON_MAX_LENGTH
from streams.selectors import room as room_selectors
from streams.services import chat
from trust import services as trust_services
from trust.models import ModerationAction

TIMEOUT_MIN_SECONDS = 60
TIMEOUT_MAX_SECONDS = 24 * 60 * 60
SLOW_MODE_MAX_SECONDS = 600
FOLLOWERS_ONLY_MAX_MINUTES = 60 * 24 * 90


def _stream_for_moderator(*, actor, stream_id: int) -> Stream:
    try:
        stream = Stream.objects.select_related("host").get(pk=stream_id)
    except Stream.DoesNotExist as error:
        raise RoomItemNotFound(_("This stream does not exist.")) from error
    if not room_selectors.can_moderate(room_selectors.get_room_roles(user=actor, stream=stream)):
        raise RoomForbidden()
    return stream


def _target_user(*, stream: Stream, user_id) -> User:
    try:
        target = User.objects.get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError) as error:
        raise RoomItemNotFound(_("There is no such user.")) from error
    roles = room_selectors.get_room_roles(user=target, stream=stream)
    if "host" in roles or target.is_staff:
        raise RoomForbidden(_("The host and staff cannot be timed out or banned."))
    return target


def _restrict(*, actor, stream_id: int, user_id, seconds: int | None, reason: str) -> ChannelBan:
    stream = _stream_for_moderator(actor=actor, stream_id=stream_id)
    target = _target_user(stream=stream, user_id=user_id)
    if target.pk == actor.pk:
        raise RoomError(_("You cannot time out or ban yourself."), code="invalid")
    roles = room_selectors.get_room_roles(user=actor, stream=stream)
    target_roles = room_selectors.get_room_roles(user=target, stream=stream)
    if "moderator" in target_roles and "host" not in roles and not actor.is_staff:
        raise RoomForbidden(_("Only the host can time out or ban a moderator."))
    reason = str(reason or "")[:BAN_REASON_MAX_LENGTH]
    now = timezone.now()
    expires_at = now + timedelta(seconds=seconds) if seconds is not None else None
    ban = ChannelBan.objects.create(
        channel=stream.host, user=target, expires_at=expires_at, reason=reason, created_by=actor
    )
    trust_services.record_moderation_action(
        kind=ModerationAction.Kind.TIMEOUT if seconds is not None else ModerationAction.Kind.BAN,
        actor=actor,
        target_user=target,
        channel=stream.host,
        stream=stream,
        reason=reason,
        details={"seconds": seconds} if seconds is not None else {},
    )
    chat.hide_messages_of(stream=stream, user=target)
    events.broadcast_on_commit(
        events.user_group(stream.pk, target.pk),
        events.build_frame(
            events.USER_RESTRICTED,
            code="timed_out" if seconds is not None else "channel_banned",
            until=expires_at.isoformat() if expires_at else None,
            reason=reason,
        ),
    )
    return ban


@transaction.atomic
def timeout_user(*, actor, stream_id: int, user_id: int, seconds, reason: str = "") -> ChannelBan:
    """Keep a user out of the channel's chat for 1 minute to 24 hours."""
    try:
        seconds = int(seconds)
    except (TypeError, ValueError) as error:
        raise RoomError(_("Choose how long the timeout lasts."), code="invalid") from error
    if not TIMEOUT_MIN_SECONDS <= seconds <= TIMEOUT_MAX_SECONDS:
        raise RoomError(_("A timeout lasts from 1 minute to 24 hours."), code="invalid")
    return _restrict(
        actor=actor, stream_id=stream_id, user_id=user_id, seconds=seconds, reason=reason
    )


@transaction.atomic
def ban_user(*, actor, stream_id: int, user_id: int, reason: str = "") -> ChannelBan:
    """Ban a user from the channel's chat until a moderator lifts it."""
    return _restrict(actor=actor, stream_id=stream_id, user_id=user_id, seconds=None, reason=reason)


@transaction.atomic
def unban_user(*, actor, stream_id: int, user_id: int) -> int:
    """Lift a user's bans and timeouts in the channel. Returns how many were lifted."""
    stream = _stream_for_moderator(actor=actor, stream_id=stream_id)
    target = _target_user(stream=stream, user_id=user_id)
    now = timezone.now()
    lifted = (
        ChannelBan.objects.filter(channel=stream.host, user=target, lifted_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .update(lifted_at=now, lifted_by=actor)
    )
    if lifted:
        trust_services.record_moderation_action(
            kind=ModerationAction.Kind.UNBAN,
            actor=actor,
            target_user=target,
            channel=stream.host,
            stream=stream,
        )
        events.broadcast_on_commit(
            events.user_group(stream.pk, target.pk),
            events.build_frame(events.USER_RESTRICTED, code=None, until=None, reason=""),
        )
    return lifted


def _validated_modes(changes: dict) -> dict:
    valid = {}
    if "slow_mode_seconds" in changes:
        value = changes["slow_mode_seconds"]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 600:
            raise RoomError(_("Slow mode is 0 to 600 seconds."), code="invalid")
        valid["slow_mode_seconds"] = value
    if "followers_only_minutes" in changes:
        value = changes["followers_only_minutes"]
        if value is not None and (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not 0 <= value <= FOLLOWERS_ONLY_MAX_MINUTES
        ):
            raise RoomError(
                _("Followers-only mode is off (null) or 0 to 129600 minutes."), code="invalid"
            )
        valid["followers_only_minutes"] = value
    if "emote_only" in changes:
        if not isinstance(changes["emote_only"], bool):
            raise RoomError(_("Emote-only mode is true or false."), code="invalid")
        valid["emote_only"] = changes["emote_only"]
    if "subscribers_only" in changes:
        if not isinstance(changes["subscribers_only"], bool):
            raise RoomError(_("Subscribers-only mode is true or false."), code="invalid")
        valid["subscribers_only"] = changes["subscribers_only"]
    if not valid:
        raise RoomError(_("Say which chat mode to change."), code="invalid")
    return valid


@transaction.atomic
def set_chat_modes(*, actor, stream_id: int, **changes) -> ChatSettings:
    """Change slow, followers-only, emote-only or subscribers-only mode from the room."""
    stream = _stream_for_moderator(actor=actor, stream_id=stream_id)
    valid = _validated_modes(changes)
    chat_settings, _created = ChatSettings.objects.select_for_update().get_or_create(
        channel=stream.host
    )
    for field, value in valid.items():
        setattr(chat_settings, field, value)
    chat_settings.save()
    trust_services.record_moderation_action(
        kind=ModerationAction.Kind.CHANGE_MODES,
        actor=actor,
        channel=stream.host,
        stream=stream,
        details=valid,
    )
    _announce_modes(channel=stream.host, chat_settings=chat_settings)
    return chat_settings


def _announce_modes(*, channel, chat_settings: ChatSettings) -> None:
    """Tell the channel's open rooms (caller's transaction)."""
    for stream_id in Stream.objects.filter(
        host=channel, status__in=[*Stream.ACTIVE_STATUSES, Stream.Status.SCHEDULED]
    ).values_list("pk", flat=True):
        events.append_room_event(
            stream_id=stream_id,
            event_type=events.ROOM_MODES,
            modes=room_selectors.modes_payload(chat_settings),
        )


@transaction.atomic
def update_chat_settings(*, channel, **fields) -> ChatSettings:
    """The host's chat settings page: modes and AutoMod. Fields are already validated
    by the form (model field validators)."""
    chat_settings, _created = ChatSettings.objects.select_for_update().get_or_create(
        channel=channel
    )
    before = room_selectors.modes_payload(chat_settings)
    for field, value in fields.items():
        setattr(chat_settings, field, value)
    chat_settings.full_clean()
    chat_settings.save()
    after = room_selectors.modes_payload(chat_settings)
    if after != before:
        trust_services.record_moderation_action(
            kind=ModerationAction.Kind.CHANGE_MODES, actor=channel, channel=channel, details=after
        )
        _announce_modes(channel=channel, chat_settings=chat_settings)
    return chat_settings


@transaction.atomic
def appoint_moderator(*, channel, username: str) -> ChannelModerator:
    username = str(username or "").strip().lstrip("@")
    moderator = User.objects.filter(username__iexact=username, is_active=True).first()
    if moderator is None:
        raise RoomError(_("There is no user called %(name)s.") % {"name": username}, code="invalid")
    if moderator.pk == channel.pk:
        raise RoomError(_("You already run your own channel."), code="invalid")
    try:
        with transaction.atomic():
            appointment = ChannelModerator.objects.create(
                channel=channel, moderator=moderator, appointed_by=channel
            )
    except IntegrityError as error:
        raise RoomError(
            _("%(name)s is already a moderator.") % {"name": moderator.username},
            code="already_moderator",
        ) from error
    trust_services.record_moderation_action(
        kind=ModerationAction.Kind.ADD_MODERATOR,
        actor=channel,
        target_user=moderator,
        channel=channel,
    )
    return appointment


@transaction.atomic
def remove_moderator(*, channel, moderator_id: int) -> None:
    appointment = ChannelModerator.objects.filter(
        channel=channel, moderator_id=moderator_id
    ).first()
    if appointment is None:
        raise RoomItemNotFound(_("That user is not a moderator here."))
    moderator = appointment.moderator
    appointment.delete()
    trust_services.record_moderation_action(
        kind=ModerationAction.Kind.REMOVE_MODERATOR,
        actor=channel,
        target_user=moderator,
        channel=channel,
    )


@transaction.atomic
def appoint_regional_moderator(*, actor, moderator, region: str) -> RegionalModerator:
    """Staff appoint moderators for every channel in a region (from the admin)."""
    appointment, created = RegionalModerator.objects.get_or_create(
        moderator=moderator, region=region, defaults={"appointed_by": actor}
    )
    if created:
        trust_services.record_moderation_action(
            kind=ModerationAction.Kind.ADD_MODERATOR,
            actor=actor,
            target_user=moderator,
            details={"region": region},
        )
    return appointment
