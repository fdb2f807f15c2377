"""Who is in a live room: one `RoomPresence` row per open socket.

Viewer counts come from these rows (see `room_selectors.count_room_viewers`), so
sockets on every server process count. A socket's server refreshes its rows every
ROOM_PRESENCE_TOUCH_SECONDS; rows older than ROOM_PRESENCE_TIMEOUT_SECONDS belong
to a server that died and are swept.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from streams import entrances, events
from streams.models import RoomPresence, Stream
from streams.selectors import room as room_selectors


@dataclass(frozen=True)
class PresenceChange:
    """A socket came or went. `announce_to` are the users who follow the person and
    are in the room, when this was the person's first or last socket there."""

    stream_id: int
    user_id: int | None
    announce_to: list[int]


def join_room(*, stream: Stream, channel_name: str, user=None) -> PresenceChange:
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    RoomPresence.objects.update_or_create(
        channel_name=channel_name,
        defaults={"stream": stream, "user": user, "last_seen_at": now},
    )
    change = _change(stream=stream, user_id=user.pk if user else None, joined=True)
    _tell_followers(change, event_type=events.PRESENCE_JOINED, user=user)
    _announce_entrance(stream=stream, user=user)
    return change


def _announce_entrance(*, stream: Stream, user) -> None:
    """Someone with an entrance (streams.entrances) opened their first socket here."""
    if user is None or user.pk == stream.host_id or not entrances.has_entrance_providers():
        return
    if room_selectors.count_user_sockets(stream_id=stream.pk, user_id=user.pk) > 1:
        return
    entrance = entrances.entrance_for(user=user, stream=stream)
    if entrance:
        frame = events.build_frame(
            events.ROOM_ENTRANCE, user=events.user_payload(user), entrance=entrance
        )
        events.broadcast_on_commit(events.room_group(stream.pk), frame)


def leave_room(*, channel_name: str) -> PresenceChange | None:
    presence = RoomPresence.objects.filter(channel_name=channel_name).select_related(
        "stream", "user"
    )
    presence = presence.first()
    if presence is None:
        return None
    presence.delete()
    change = _change(stream=presence.stream, user_id=presence.user_id, joined=False)
    if change.announce_to:
        _tell_followers(change, event_type=events.PRESENCE_LEFT, user=presence.user)
    return change


def _tell_followers(change: PresenceChange, *, event_type: str, user) -> None:
    if not change.announce_to:
        return
    frame = events.build_frame(event_type, user=events.user_payload(user))
    for follower_id in change.announce_to:
        events.broadcast_on_commit(events.user_group(change.stream_id, follower_id), frame)


def _change(*, stream: Stream, user_id: int | None, joined: bool) -> PresenceChange:
    if user_id is None or user_id == stream.host_id:
        return PresenceChange(stream_id=stream.pk, user_id=user_id, announce_to=[])
    sockets = room_selectors.count_user_sockets(stream_id=stream.pk, user_id=user_id)
    # Joined: the socket just opened is the only one. Left: no socket remains (the
    # one just closed is already gone, so one left means another tab is still open).
    first_or_last = sockets <= 1 if joined else sockets == 0
    announce_to = (
        room_selectors.list_present_follower_ids(stream_id=stream.pk, followee_id=user_id)
        if first_or_last
        else []
    )
    return PresenceChange(stream_id=stream.pk, user_id=user_id, announce_to=announce_to)


def touch_presences(*, channel_names: list[str]) -> int:
    if not channel_names:
        return 0
    return RoomPresence.objects.filter(channel_name__in=channel_names).update(
        last_seen_at=timezone.now()
    )


def sweep_stale_presences() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.ROOM_PRESENCE_TIMEOUT_SECONDS)
    deleted, _ = RoomPresence.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def record_room_viewers(*, stream_id: int) -> tuple[int, int]:
    """Count the room now, keep the stream's current and peak viewers, and return both."""
    stream = Stream.objects.filter(pk=stream_id).only("host_id", "status").first()
    if stream is None:
        return 0, 0
    count = (
        room_selectors.count_room_viewers(stream_id=stream_id, host_id=stream.host_id)
        if stream.is_active
        else 0
    )
    Stream.objects.filter(pk=stream_id).update(
        current_viewers=count, peak_viewers=Greatest(F("peak_viewers"), count)
    )
    peak = Stream.objects.filter(pk=stream_id).values_list("peak_viewers", flat=True).first()
    return count, peak or 0


def presence_count_frame(*, count: int, peak: int) -> dict:
    return events.build_frame(events.PRESENCE_COUNT, count=count, peak=peak)
