"""Reads for live video: discovery lists and lookups with visibility rules."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from halobuzz.users.models import Follow
from streams.exceptions import StreamNotFound
from streams.models import Recording, Stream, StreamCategory, StreamKey, StreamReminder

GO_LIVE_EARLY_WINDOW = timedelta(minutes=15)
PUBLIC_STREAM_STATUSES = ("live", "scheduled", "ended")


def _with_cards(queryset: QuerySet[Stream]) -> QuerySet[Stream]:
    """What a stream card shows: host and category in the same query."""
    return queryset.select_related("host", "category")


def _apply_discovery_filters(
    streams: QuerySet[Stream],
    *,
    category="",
    language: str = "",
    country: str = "",
    query: str = "",
) -> QuerySet[Stream]:
    """The discovery filters shared by the pages and the API."""
    if category:
        streams = streams.filter(
            category__slug=category if isinstance(category, str) else category.slug
        )
    if language:
        streams = streams.filter(language=language)
    if country:
        streams = streams.filter(host__country=country.upper())
    query = (query or "").strip()
    if query:
        streams = streams.filter(
            Q(title__icontains=query)
            | Q(host__username__icontains=query)
            | Q(host__display_name__icontains=query)
            | Q(tags__icontains=query)
        )
    return streams


def list_live_streams(
    *,
    category: StreamCategory | str | None = None,
    language: str = "",
    country: str = "",
    query: str = "",
) -> QuerySet[Stream]:
    """Live (and briefly reconnecting) streams, most watched first."""
    streams = _with_cards(Stream.objects.filter(status__in=Stream.ACTIVE_STATUSES))
    streams = _apply_discovery_filters(
        streams, category=category, language=language, country=country, query=query
    )
    return streams.order_by("-current_viewers", "-started_at", "-pk")


def list_public_streams(
    *,
    status: str = "live",
    category: str = "",
    language: str = "",
    country: str = "",
    query: str = "",
) -> QuerySet[Stream]:
    """Streams anyone may browse, with everything a stream card needs in one query.

    - live: live and reconnecting streams, most watched first;
    - scheduled: streams with a start time still ahead, soonest first;
    - ended: streams that went on air and ended, newest first (cancelled schedules,
      which never aired, are left out).
    """
    filters = {"category": category, "language": language, "country": country, "query": query}
    if status == "live":
        streams = list_live_streams(**filters)
    elif status == "scheduled":
        streams = _apply_discovery_filters(list_upcoming_streams(), **filters)
    elif status == "ended":
        ended = (
            Stream.objects.filter(status=Stream.Status.ENDED)
            .exclude(end_reason=Stream.EndReason.NEVER_STARTED)
            .order_by("-ended_at", "-pk")
        )
        streams = _apply_discovery_filters(_with_cards(ended), **filters)
    else:
        raise ValueError(f"Unknown public stream status: {status!r}")
    # The card shows the VOD of an ended stream; fetch it with the rest.
    return streams.select_related("recording")


def list_followed_live_streams(*, user) -> QuerySet[Stream]:
    if not user.is_authenticated:
        return Stream.objects.none()
    return list_live_streams().filter(
        Exists(Follow.objects.filter(follower=user, followee=OuterRef("host")))
    )


def list_upcoming_streams(*, user=None, host=None) -> QuerySet[Stream]:
    """Scheduled streams with a start time, soonest first, with `has_reminder` for `user`."""
    streams = _with_cards(
        Stream.objects.filter(status=Stream.Status.SCHEDULED, scheduled_start__gte=timezone.now())
    )
    if host is not None:
        streams = streams.filter(host=host)
    if user is not None and user.is_authenticated:
        streams = streams.annotate(
            has_reminder=Exists(StreamReminder.objects.filter(user=user, stream=OuterRef("pk")))
        )
    return streams.order_by("scheduled_start", "pk")


def list_categories() -> QuerySet[StreamCategory]:
    return StreamCategory.objects.filter(is_active=True)


def get_category(*, slug: str) -> StreamCategory:
    category = list_categories().filter(slug=slug).first()
    if category is None:
        raise StreamNotFound("No such category.")
    return category


def get_stream(*, stream_id: int) -> Stream:
    stream = (
        Stream.objects.select_related("host", "category", "recording").filter(pk=stream_id).first()
    )
    if stream is None:
        raise StreamNotFound("No such stream.")
    return stream


def list_host_streams(*, host) -> QuerySet[Stream]:
    return _with_cards(Stream.objects.filter(host=host)).select_related("recording")


def get_ready_vod(*, stream: Stream) -> Recording | None:
    recording = getattr(stream, "recording", None)
    if recording is not None and recording.status == Recording.Status.READY and recording.file:
        return recording
    return None


def get_stream_key_for_owner(*, user) -> StreamKey | None:
    """The user's own stream key (never anyone else's)."""
    if not user.is_authenticated:
        return None
    return StreamKey.objects.filter(creator=user).first()


def get_publishable_stream_for_host(*, host) -> Stream | None:
    """The stream going live next for this host: their active stream, else the newest
    not-yet-started one that is unscheduled ("go live now", prepared in the studio) or
    due within GO_LIVE_EARLY_WINDOW."""
    active = Stream.objects.filter(host=host, status__in=Stream.ACTIVE_STATUSES).first()
    if active is not None:
        return active
    due_by = timezone.now() + GO_LIVE_EARLY_WINDOW
    return (
        Stream.objects.filter(host=host, status=Stream.Status.SCHEDULED)
        .filter(Q(scheduled_start__isnull=True) | Q(scheduled_start__lte=due_by))
        .order_by("-created_at")
        .first()
    )


def get_live_stream_for_host(*, host) -> Stream | None:
    """The host's stream that is on air (or reconnecting), if any."""
    return list_live_streams().filter(host=host).first()


def list_upcoming_streams_in_category(*, category: StreamCategory, user=None) -> QuerySet[Stream]:
    """Scheduled streams of one category, soonest first, with `has_reminder` for `user`."""
    return list_upcoming_streams(user=user).filter(category=category)


def list_past_streams(*, host) -> QuerySet[Stream]:
    """The host's ended streams, newest first, with `has_vod` when a ready video exists."""
    ready_vod = Recording.objects.filter(
        stream=OuterRef("pk"), status=Recording.Status.READY
    ).exclude(file="")
    return (
        list_host_streams(host=host)
        .filter(status=Stream.Status.ENDED)
        .annotate(has_vod=Exists(ready_vod))
        .order_by("-ended_at", "-pk")
    )


def has_reminder(*, user, stream: Stream) -> bool:
    """Whether `user` asked to be reminded when `stream` goes live."""
    if not user.is_authenticated:
        return False
    return StreamReminder.objects.filter(user=user, stream=stream).exists()
