"""Celery tasks for live video: each takes ids, calls a service and is safe to rerun."""

from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from streams.models import RoomEvent, Stream
from streams.services import lifecycle, media, polls, presence, publishing, reminders, viewers

LIVE_MEDIA_KEPT_AFTER_END = timedelta(minutes=10)
# Resume needs recent events only; after this an ended room keeps just its messages.
ROOM_EVENTS_KEPT_AFTER_END = timedelta(days=1)


@shared_task
def notify_stream_live(stream_id: int) -> int:
    return reminders.notify_stream_live(stream_id=stream_id)


@shared_task
def build_vod(stream_id: int) -> None:
    media.build_vod(stream_id=stream_id)


@shared_task
def capture_thumbnail(stream_id: int) -> None:
    media.capture_thumbnail(stream_id=stream_id)


@shared_task
def capture_live_thumbnails() -> int:
    """Every 10 s (beat): one thumbnail task per live stream that is due (every
    THUMBNAIL_INTERVAL_SECONDS, or REPORTED_THUMBNAIL_INTERVAL_SECONDS with an open
    moderation case). Each frame is then scanned by AI moderation."""
    stream_ids = media.list_streams_due_a_thumbnail()
    for stream_id in stream_ids:
        capture_thumbnail.delay(stream_id)
    return len(stream_ids)


@shared_task
def sweep_live_streams() -> None:
    """Every 10 s (beat): interrupt streams whose publisher went silent, end those
    interrupted past the grace period, recount viewers, and delete the live HLS
    folders of streams that ended a while ago."""
    publishing.interrupt_stalled_publishers()
    lifecycle.expire_interrupted_streams()
    presence.sweep_stale_presences()
    viewers.refresh_all_live_viewer_counts()
    polls.close_due_polls()
    cutoff = timezone.now() - LIVE_MEDIA_KEPT_AFTER_END
    window = Q(ended_at__lt=cutoff, ended_at__gte=cutoff - timedelta(minutes=5))
    for stream in Stream.objects.filter(window, status=Stream.Status.ENDED):
        media.remove_live_media(stream=stream)


@shared_task
def close_poll(poll_id: int) -> None:
    """Queued for the moment a poll's time is up (the sweep closes any it misses)."""
    polls.close_poll(poll_id=poll_id)


@shared_task
def send_poll_results(poll_id: int) -> None:
    polls.send_poll_results(poll_id=poll_id)


@shared_task
def prune_room_events() -> int:
    """Hourly (beat): drop the replay log of rooms whose stream ended over a day ago."""
    cutoff = timezone.now() - ROOM_EVENTS_KEPT_AFTER_END
    deleted, _ = RoomEvent.objects.filter(
        stream__status=Stream.Status.ENDED, stream__ended_at__lt=cutoff
    ).delete()
    return deleted
