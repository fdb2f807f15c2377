"""Who may publish video into a stream, for both ingest paths.

RTMP (OBS): nginx-rtmp calls on_publish with the key as the stream name; we answer
with the stream's opaque public id so HLS files never carry the key. on_update
(every RTMP_UPDATE_INTERVAL_SECONDS) re-checks the key, the host and the stream;
a refusal makes nginx drop the encoder. on_publish_done ends the stream.

Browser: the studio's WebSocket claims the stream with a random publisher token;
only the connection holding the token may feed it, checks in while chunks flow,
and releases it on Stop (ended) or on a dropped socket (interrupted).
"""

import logging
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from streams.exceptions import AlreadyLive, PublishRefused
from streams.keys import hash_stream_key
from streams.models import Recording, Stream
from streams.selectors import get_publishable_stream_for_host
from streams.services.keys import find_publishable_key, key_still_valid_for
from streams.services.lifecycle import create_stream, end_stream, go_live, interrupt_stream

logger = logging.getLogger(__name__)


def _active_stream_of(host) -> Stream | None:
    return Stream.objects.filter(host=host, status__in=Stream.ACTIVE_STATUSES).first()


@transaction.atomic
def accept_rtmp_publish(*, stream_key: str) -> Stream:
    """Decide an nginx-rtmp on_publish: the stream the encoder goes live on.

    Resumes the host's interrupted RTMP stream, else starts the stream they prepared
    in the studio (or scheduled within the next minutes), else creates one titled
    after the host. Raises
    PublishRefused (bad or disabled key, inactive host), AlreadyLive (live from the
    browser) or DailyStreamLimitReached.
    """
    key = find_publishable_key(secret=stream_key)
    host = key.creator
    get_user_model().objects.select_for_update().filter(pk=host.pk).first()
    active = _active_stream_of(host)
    if active is not None:
        if active.ingest != Stream.Ingest.RTMP:
            raise AlreadyLive()
        # An encoder reconnecting (or nginx restarting before on_publish_done).
        return go_live(stream=active, ingest=Stream.Ingest.RTMP, ingest_key_hash=key.key_hash)
    stream = get_publishable_stream_for_host(host=host)
    if stream is None:
        stream = create_stream(
            host=host,
            title=_("%(name)s is live") % {"name": host.display_name or host.username},
            ingest=Stream.Ingest.RTMP,
        )
    return go_live(stream=stream, ingest=Stream.Ingest.RTMP, ingest_key_hash=key.key_hash)


def _stream_published_with(stream_key: str) -> Stream | None:
    return (
        Stream.objects.select_related("host")
        .filter(
            ingest=Stream.Ingest.RTMP,
            ingest_key_hash=hash_stream_key(stream_key),
            status__in=Stream.ACTIVE_STATUSES,
        )
        .first()
    )


def check_rtmp_publisher(*, stream_key: str) -> bool:
    """Decide an nginx-rtmp on_update: may this encoder keep publishing?

    False when the stream was ended (admin, host), the key was rotated or
    disabled, or the host was deactivated; the stream is ended in those cases.
    """
    stream = _stream_published_with(stream_key)
    if stream is None:
        return False
    if not stream.host.is_active:
        end_stream(stream=stream, reason=Stream.EndReason.MODERATOR)
        return False
    if not key_still_valid_for(stream=stream):
        end_stream(stream=stream, reason=Stream.EndReason.KEY_REVOKED)
        return False
    if stream.status == Stream.Status.INTERRUPTED:
        go_live(stream=stream, ingest=Stream.Ingest.RTMP, ingest_key_hash=stream.ingest_key_hash)
    else:
        Stream.objects.filter(pk=stream.pk).update(last_ingest_at=timezone.now())
    return True


def finish_rtmp_publish(*, stream_key: str) -> Stream | None:
    """nginx-rtmp on_publish_done: the encoder stopped publishing, so the stream ends."""
    stream = _stream_published_with(stream_key)
    if stream is None:
        return None
    return end_stream(stream=stream, reason=Stream.EndReason.HOST)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


@transaction.atomic
def attach_rtmp_recording(*, public_id: str, path: str) -> Recording | None:
    """nginx-rtmp on_record_done: keep the FLV for the VOD, or delete it when the
    stream is not being recorded."""
    file_path = Path(path)
    if not _inside(file_path, settings.RECORDINGS_ROOT):
        logger.warning("Ignoring a recording outside RECORDINGS_ROOT: %s", path)
        return None
    recording = Recording.objects.select_for_update().filter(stream__public_id=public_id).first()
    if recording is None or recording.status in (Recording.Status.READY, Recording.Status.FAILED):
        file_path.unlink(missing_ok=True)
        return None
    if str(file_path) not in recording.source_paths:
        recording.source_paths = [*recording.source_paths, str(file_path)]
        recording.save(update_fields=["source_paths"])
    return recording


@transaction.atomic
def claim_browser_publisher(*, stream_id: int, user) -> tuple[Stream, str]:
    """Give the studio's socket the right to publish. Returns the stream and its token.

    Raises PublishRefused (not the host, ended, another tab publishing) or AlreadyLive.
    """
    stream = Stream.objects.select_for_update().filter(pk=stream_id).first()
    if stream is None or stream.host_id != getattr(user, "pk", None):
        raise PublishRefused(_("Only the host can publish to this stream."), code="not_stream_host")
    if stream.status == Stream.Status.ENDED:
        raise PublishRefused(_("This stream has ended; start a new one."), code="stream_ended")
    stall = timedelta(seconds=settings.BROWSER_INGEST_STALL_SECONDS)
    if (
        stream.status == Stream.Status.LIVE
        and stream.publisher_token
        and stream.last_ingest_at
        and stream.last_ingest_at > timezone.now() - stall
    ):
        raise PublishRefused(
            _("This stream is already being published from another tab or device."),
            code="already_publishing",
        )
    if stream.status == Stream.Status.LIVE and stream.ingest == Stream.Ingest.RTMP:
        raise PublishRefused(
            _("This stream is being published from OBS."), code="already_publishing"
        )
    token = secrets.token_hex(16)
    stream = go_live(stream=stream, ingest=Stream.Ingest.BROWSER, publisher_token=token)
    return stream, token


def touch_browser_publisher(*, stream_id: int, token: str) -> bool:
    """Record that chunks still flow. False when the socket lost the stream (ended by
    the host elsewhere or a moderator) or the host was deactivated, so it must stop."""
    return bool(
        Stream.objects.filter(
            pk=stream_id, publisher_token=token, status=Stream.Status.LIVE, host__is_active=True
        ).update(last_ingest_at=timezone.now())
    )


def release_browser_publisher(*, stream_id: int, token: str, stopped: bool) -> Stream | None:
    """The studio's socket closed: Stop ends the stream; a drop interrupts it so the
    studio can reconnect within the grace period."""
    stream = Stream.objects.filter(pk=stream_id, publisher_token=token).first()
    if stream is None:
        return None
    if stopped:
        return end_stream(stream=stream, reason=Stream.EndReason.HOST)
    return interrupt_stream(stream=stream)


def interrupt_stalled_publishers(*, now=None) -> int:
    """Interrupt live streams whose publisher stopped checking in (a crashed server
    process, or nginx gone without on_publish_done). Returns how many."""
    now = now or timezone.now()
    browser_cutoff = now - timedelta(seconds=settings.BROWSER_INGEST_STALL_SECONDS * 2)
    rtmp_cutoff = now - timedelta(seconds=settings.RTMP_UPDATE_INTERVAL_SECONDS * 3)
    stalled = Stream.objects.filter(status=Stream.Status.LIVE).filter(
        Q(ingest=Stream.Ingest.BROWSER, last_ingest_at__lt=browser_cutoff)
        | Q(ingest=Stream.Ingest.RTMP, last_ingest_at__lt=rtmp_cutoff)
    )
    count = 0
    for stream in stalled:
        interrupt_stream(stream=stream)
        count += 1
    return count
