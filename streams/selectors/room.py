"""Reads for the live room: who may do what, and what a joining client is shown."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from streams import events
from streams.exceptions import RoomForbidden
from streams.models import (
    ChannelBan,
    ChannelModerator,
    ChatMessage,
    ChatSettings,
    Emote,
    Poll,
    PollVote,
    RegionalModerator,
    RoomEvent,
    RoomPresence,
    RoomRequest,
    RoomRequestUpvote,
    RoomState,
    Stream,
)
from trust import selectors as trust_selectors

REACTION_KINDS = ("heart", "fire", "laugh", "clap", "wow", "party")
EMOTE_CACHE_SECONDS = 60

# Which hosts each regional moderator looks after, by the host's country. The
# diaspora covers hosts abroad who stream in Portuguese, Nepali or Hindi.
REGION_COUNTRIES = {
    RegionalModerator.Region.BRAZIL: {"BR"},
    RegionalModerator.Region.PORTUGAL: {"PT"},
    RegionalModerator.Region.AFRICA: {"AO", "MZ", "CV", "GW", "ST", "GQ"},
    RegionalModerator.Region.NEPAL: {"NP"},
    RegionalModerator.Region.INDIA: {"IN"},
}
DIASPORA_LANGUAGES = {"pt", "ne", "hi"}


@dataclass(frozen=True)
class Restriction:
    """Why a user may not take part in a room right now."""

    code: str
    message: str
    until: datetime | None = None
    reason: str = ""

    def as_payload(self) -> dict:
        return {
            "code": self.code,
            "until": self.until.isoformat() if self.until else None,
            "reason": self.reason,
        }


def regions_for_stream(*, stream: Stream) -> set[str]:
    country = str(stream.host.country or "")
    regions = {region for region, countries in REGION_COUNTRIES.items() if country in countries}
    if not regions and country and stream.language in DIASPORA_LANGUAGES:
        regions.add(RegionalModerator.Region.DIASPORA)
    return regions


def get_room_roles(*, user, stream: Stream) -> frozenset[str]:
    """`host` and/or `moderator` (channel, regional or staff); empty for everyone else."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = set()
    if user.pk == stream.host_id:
        roles.add("host")
    if user.is_staff or _moderates_channel(user=user, stream=stream):
        roles.add("moderator")
    return frozenset(roles)


def _moderates_channel(*, user, stream: Stream) -> bool:
    if ChannelModerator.objects.filter(channel_id=stream.host_id, moderator=user).exists():
        return True
    regions = regions_for_stream(stream=stream)
    return bool(regions) and (
        RegionalModerator.objects.filter(moderator=user, region__in=regions).exists()
    )


def can_moderate(roles: frozenset[str]) -> bool:
    return bool(roles & {"host", "moderator"})


def get_chat_settings(*, channel_id: int) -> ChatSettings:
    """The channel's chat settings; an unsaved default row when it has none."""
    found = ChatSettings.objects.filter(channel_id=channel_id).first()
    return found or ChatSettings(channel_id=channel_id)


def modes_payload(chat_settings: ChatSettings) -> dict:
    return {
        "slow_mode_seconds": chat_settings.slow_mode_seconds,
        "followers_only_minutes": chat_settings.followers_only_minutes,
        "emote_only": chat_settings.emote_only,
        "subscribers_only": chat_settings.subscribers_only,
    }


def active_channel_bans(*, user, channel_id):
    """`user`'s bans and timeouts in the channel that are in force now. `channel_id`
    may be an OuterRef."""
    return ChannelBan.objects.filter(
        channel_id=channel_id, user=user, lifted_at__isnull=True
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=Now()))


def may_be_restricted(*, user):
    """An expression for a Stream queryset: whether a site ban or a ban in the
    stream's channel is in force for `user`. Callers that find it true ask
    get_chat_restriction for the reason; it saves them that query otherwise."""
    return Exists(trust_selectors.active_site_bans(user=user)) | Exists(
        active_channel_bans(user=user, channel_id=OuterRef("host_id"))
    )


def get_chat_restriction(*, user, stream: Stream) -> Restriction | None:
    if user is None or not user.is_authenticated:
        return Restriction("not_signed_in", _("Sign in to chat."))
    if not user.is_active:
        return Restriction("account_inactive", _("Your account is not active."))
    site_ban = trust_selectors.get_active_site_ban(user=user)
    if site_ban is not None:
        return Restriction(
            "site_banned",
            _("Your account is banned from taking part."),
            until=site_ban.expires_at,
            reason=site_ban.reason,
        )
    bans = list(
        active_channel_bans(user=user, channel_id=stream.host_id).only("expires_at", "reason")
    )
    permanent = next((ban for ban in bans if ban.expires_at is None), None)
    if permanent is not None:
        return Restriction(
            "channel_banned", _("You are banned from this chat."), reason=permanent.reason
        )
    if bans:
        latest = max(bans, key=lambda ban: ban.expires_at)
        return Restriction(
            "timed_out",
            _("You are timed out in this chat."),
            until=latest.expires_at,
            reason=latest.reason,
        )
    return None


def list_room_emotes(*, channel_id: int) -> list[dict]:
    """The emotes usable in a channel's chat: the global set plus the channel's own."""
    key = f"room-emotes:{channel_id}:{_emote_cache_version()}"
    emotes = cache.get(key)
    if emotes is None:
        rows = Emote.objects.filter(is_active=True).filter(
            Q(channel__isnull=True) | Q(channel_id=channel_id)
        )
        by_code = {}
        for emote in rows.order_by("channel_id", "position", "code"):
            # A channel's own emote wins over a global one with the same code.
            if emote.channel_id is not None or emote.code not in by_code:
                by_code[emote.code] = {"code": emote.code, "name": emote.name, "url": emote.url}
        emotes = list(by_code.values())
        cache.set(key, emotes, EMOTE_CACHE_SECONDS)
    return emotes


def _emote_cache_version() -> int:
    return cache.get_or_set("room-emotes-version", 1, None)


def forget_cached_emotes() -> None:
    try:
        cache.incr("room-emotes-version")
    except ValueError:
        cache.set("room-emotes-version", 2, None)


def list_recent_messages(*, stream_id: int, limit: int, up_to_seq: int) -> list[ChatMessage]:
    rows = (
        ChatMessage.objects.filter(
            stream_id=stream_id, status=ChatMessage.Status.VISIBLE, seq__lte=up_to_seq
        )
        .select_related("author")
        .order_by("-seq")[:limit]
    )
    return list(reversed(rows))


def list_held_messages(*, stream_id: int) -> list[ChatMessage]:
    return list(
        ChatMessage.objects.filter(stream_id=stream_id, status=ChatMessage.Status.HELD)
        .select_related("author")
        .order_by("created_at")[:100]
    )


def get_last_seq(*, stream_id: int) -> int:
    return (
        RoomState.objects.filter(stream_id=stream_id).values_list("last_seq", flat=True).first()
        or 0
    )


def list_room_events_between(*, stream_id: int, after: int, up_to: int) -> list[dict] | None:
    """The replayable frames numbered `after` < seq <= `up_to`, or None when they cannot
    all be given (the client is too far behind, or claims a seq the room never reached)."""
    missing = up_to - after
    if after < 0 or missing < 0 or missing > settings.ROOM_REPLAY_MAX_EVENTS:
        return None
    frames = list(
        RoomEvent.objects.filter(stream_id=stream_id, seq__gt=after, seq__lte=up_to)
        .order_by("seq")
        .values_list("frame", flat=True)
    )
    if len(frames) != missing:
        return None
    return frames


def get_open_poll(*, stream_id: int) -> Poll | None:
    return (
        Poll.objects.filter(stream_id=stream_id, status=Poll.Status.OPEN)
        .prefetch_related("options")
        .first()
    )


def get_poll_vote(*, poll: Poll, user) -> int | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        PollVote.objects.filter(poll=poll, voter=user).values_list("option_id", flat=True).first()
    )


def list_open_requests(*, stream_id: int, limit: int = 50) -> list[RoomRequest]:
    return list(
        RoomRequest.objects.filter(stream_id=stream_id, status=RoomRequest.Status.OPEN)
        .select_related("author")
        .order_by("-upvotes", "created_at")[:limit]
    )


def list_upvoted_request_ids(*, user, request_ids: list[int]) -> set[int]:
    if user is None or not user.is_authenticated or not request_ids:
        return set()
    return set(
        RoomRequestUpvote.objects.filter(voter=user, request_id__in=request_ids).values_list(
            "request_id", flat=True
        )
    )


def _live_presences(*, stream_id: int):
    cutoff = timezone.now() - timedelta(seconds=settings.ROOM_PRESENCE_TIMEOUT_SECONDS)
    return RoomPresence.objects.filter(stream_id=stream_id, last_seen_at__gte=cutoff)


def count_room_viewers(*, stream_id: int, host_id: int) -> int:
    """Signed-in viewers once each however many sockets, plus every anonymous socket;
    the host watching their own room does not count."""
    counts = (
        _live_presences(stream_id=stream_id)
        .exclude(user_id=host_id)
        .aggregate(
            users=Count("user", distinct=True),
            anonymous=Count("pk", filter=Q(user__isnull=True)),
        )
    )
    return counts["users"] + counts["anonymous"]


def list_room_viewers(*, stream: Stream, limit: int = 200) -> dict:
    presences = _live_presences(stream_id=stream.pk)
    user_ids = list(
        presences.filter(user__isnull=False)
        .exclude(user_id=stream.host_id)
        .values_list("user_id", flat=True)
        .distinct()[:limit]
    )
    from halobuzz.users.models import User

    people = User.objects.filter(pk__in=user_ids).order_by("username")
    return {
        "count": count_room_viewers(stream_id=stream.pk, host_id=stream.host_id),
        "anonymous": presences.filter(user__isnull=True).count(),
        "viewers": [events.user_payload(person) for person in people],
    }


def get_room_viewer_list(*, user, stream: Stream) -> dict:
    """Who is here, for the host and moderators."""
    if not can_moderate(get_room_roles(user=user, stream=stream)):
        raise RoomForbidden()
    return list_room_viewers(stream=stream)


def count_user_sockets(*, stream_id: int, user_id: int) -> int:
    return _live_presences(stream_id=stream_id).filter(user_id=user_id).count()


def list_present_follower_ids(*, stream_id: int, followee_id: int) -> list[int]:
    """Users in the room who follow `followee_id` (told when they come and go)."""
    from halobuzz.users.models import Follow

    present = _live_presences(stream_id=stream_id).filter(user__isnull=False)
    return list(
        Follow.objects.filter(
            followee_id=followee_id, follower_id__in=present.values("user_id")
        ).values_list("follower_id", flat=True)
    )


def build_welcome(*, stream: Stream, user, last_seq: int | None = None) -> list[dict]:
    """The frames a client gets on joining: `room.welcome`, then on a successful
    resume the replayable frames it missed.

    The caller has already joined the room's group, so every event numbered after
    the welcome's `seq` reaches the client live; everything up to it is in the
    welcome (or the replay), and the client ignores live frames it already has.
    """
    seq = get_last_seq(stream_id=stream.pk)
    replay = None
    if last_seq is not None:
        replay = list_room_events_between(stream_id=stream.pk, after=last_seq, up_to=seq)
    roles = get_room_roles(user=user, stream=stream)
    signed_in = user is not None and user.is_authenticated
    restriction = get_chat_restriction(user=user, stream=stream) if signed_in else None
    chat_settings = get_chat_settings(channel_id=stream.host_id)
    poll = get_open_poll(stream_id=stream.pk)
    open_requests = list_open_requests(stream_id=stream.pk)
    upvoted = list_upvoted_request_ids(user=user, request_ids=[r.pk for r in open_requests])
    welcome = events.build_frame(
        "room.welcome",
        seq=seq,
        resumed=replay is not None,
        stream={"id": stream.pk, "status": stream.status, "title": stream.title},
        you=(
            {
                **events.user_payload(user),
                "roles": sorted(roles),
                "can_chat": restriction is None and stream.status != Stream.Status.ENDED,
                "restriction": restriction.as_payload() if restriction else None,
            }
            if signed_in
            else None
        ),
        modes=modes_payload(chat_settings),
        limits={
            "message_max_length": ChatMessage._meta.get_field("body").max_length,
            "messages_per_second": settings.CHAT_MESSAGES_PER_SECOND,
            "message_burst": settings.CHAT_MESSAGE_BURST,
        },
        emotes=list_room_emotes(channel_id=stream.host_id),
        reactions=list(REACTION_KINDS),
        messages=(
            []
            if replay is not None
            else [
                events.message_payload(message)
                for message in list_recent_messages(
                    stream_id=stream.pk, limit=settings.CHAT_HISTORY_ON_JOIN, up_to_seq=seq
                )
            ]
        ),
        viewers={"count": stream.current_viewers, "peak": stream.peak_viewers},
        poll=(
            events.poll_payload(poll, your_vote=get_poll_vote(poll=poll, user=user))
            if poll
            else None
        ),
        requests=[
            events.request_payload(request, you_upvoted=request.pk in upvoted)
            for request in open_requests
        ],
        held=(
            [events.message_payload(message) for message in list_held_messages(stream_id=stream.pk)]
            if can_moderate(roles)
            else []
        ),
    )
    return [welcome, *(replay or [])]


def list_channel_moderators(*, channel) -> list[ChannelModerator]:
    return list(
        ChannelModerator.objects.filter(channel=channel)
        .select_related("moderator")
        .order_by("moderator__username")
    )
