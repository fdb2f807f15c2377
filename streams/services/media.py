"""Thumbnails, the rolling frame history and VODs: ffmpeg work run by Celery tasks.

No transaction is held while ffmpeg runs; rows are written after it finishes.
"""

import logging
import re
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from streams.exceptions import StreamNotEditable
from streams.ffmpeg import probe_duration_seconds, remux_command, thumbnail_command
from streams.models import Recording, Stream, ThumbnailFrame

logger = logging.getLogger(__name__)

FFMPEG_TIMEOUT_SECONDS = 20
REMUX_TIMEOUT_SECONDS = 60 * 30
_SEGMENT_LINE = re.compile(r"^[^#\s][^\s]*$")


def live_media_folder(stream: Stream) -> Path:
    return settings.HLS_ROOT / stream.public_id


def newest_segment(stream: Stream) -> Path | None:
    """The last segment listed in the stream's live playlist, if it exists on disk."""
    folder = live_media_folder(stream)
    try:
        lines = (folder / "index.m3u8").read_text().splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        line = line.strip()
        if _SEGMENT_LINE.match(line):
            candidate = folder / Path(line).name
            if candidate.exists():
                return candidate
    return None


def list_streams_due_a_thumbnail(*, now=None) -> list[int]:
    """Live streams whose newest frame is older than their capture interval: the
    normal one, or the shorter one while the stream has an open moderation case."""
    from trust.selectors.cases import streams_under_review

    now = now or timezone.now()
    live = Stream.objects.filter(status=Stream.Status.LIVE).annotate(
        newest_frame=Max("frames__captured_at")
    )
    under_review = streams_under_review(stream_ids=[stream.pk for stream in live])
    due = []
    # A little slack, so a frame taken a moment after the last tick is due at the next.
    slack = timedelta(seconds=2)
    for stream in live:
        interval = (
            settings.REPORTED_THUMBNAIL_INTERVAL_SECONDS
            if stream.pk in under_review
            else settings.THUMBNAIL_INTERVAL_SECONDS
        )
        if (
            stream.newest_frame is None
            or stream.newest_frame <= now - timedelta(seconds=interval) + slack
        ):
            due.append(stream.pk)
    return due


def capture_thumbnail(*, stream_id: int) -> ThumbnailFrame | None:
    """Grab a frame from a live stream's newest segment: it becomes the grid thumbnail
    and joins the stream's frame history (the newest THUMBNAIL_FRAMES_KEPT are kept)."""
    stream = Stream.objects.filter(pk=stream_id, status=Stream.Status.LIVE).first()
    if stream is None:
        return None
    segment = newest_segment(stream)
    if segment is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "frame.jpg"
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            thumbnail_command(source=segment, output=output),
            capture_output=True,
            timeout=FFMPEG_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0 or not output.exists():
            logger.warning("thumbnail failed for stream %s: %s", stream.pk, result.stderr[-500:])
            return None
        now = timezone.now()
        name = f"{stream.public_id}-{int(now.timestamp())}.jpg"
        with output.open("rb") as handle:
            frame = ThumbnailFrame(stream=stream, captured_at=now)
            frame.image.save(name, File(handle), save=True)
            handle.seek(0)
            previous = stream.thumbnail.name if stream.thumbnail else ""
            stream.thumbnail.save(f"{stream.public_id}.jpg", File(handle), save=False)
            Stream.objects.filter(pk=stream.pk).update(thumbnail=stream.thumbnail.name)
            if previous and previous != stream.thumbnail.name:
                stream.thumbnail.storage.delete(previous)
    _prune_frames(stream)
    from trust import tasks as trust_tasks

    trust_tasks.moderate_stream_frame.delay(frame.pk)
    return frame


def _prune_frames(stream: Stream) -> None:
    stale = ThumbnailFrame.objects.filter(stream=stream).order_by("-captured_at")[
        settings.THUMBNAIL_FRAMES_KEPT :
    ]
    for frame in stale:
        frame.image.delete(save=False)
        frame.delete()


def recording_part_path(stream: Stream) -> Path:
    """Where the browser path writes the next recorded part (one per publish)."""
    folder = settings.RECORDINGS_ROOT
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{stream.public_id}-{int(timezone.now().timestamp() * 1000)}.ts"


@transaction.atomic
def add_recording_part(*, stream: Stream, path: Path) -> None:
    recording = Recording.objects.select_for_update().filter(stream=stream).first()
    if recording is not None and str(path) not in recording.source_paths:
        recording.source_paths = [*recording.source_paths, str(path)]
        recording.save(update_fields=["source_paths"])


def build_vod(*, stream_id: int) -> Recording | None:
    """Remux a finished stream's recorded parts into one MP4 VOD (no re-encode).

    Idempotent: a ready or failed recording is left alone. The raw parts are deleted
    once the VOD is saved.
    """
    recording = Recording.objects.select_related("stream").filter(stream_id=stream_id).first()
    if recording is None or recording.status != Recording.Status.PROCESSING:
        return recording
    parts = [Path(p) for p in recording.source_paths if Path(p).exists() and Path(p).stat().st_size]
    if not parts:
        Recording.objects.filter(pk=recording.pk).update(
            status=Recording.Status.FAILED, failure="Nothing was recorded."
        )
        recording.refresh_from_db()
        return recording
    with tempfile.TemporaryDirectory() as folder:
        concat_list = Path(folder) / "parts.txt"
        concat_list.write_text("".join(f"file '{p}'\n" for p in parts))
        output = Path(folder) / "vod.mp4"
        result = subprocess.run(  # noqa: S603
            remux_command(concat_list=concat_list, output=output),
            capture_output=True,
            timeout=REMUX_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0 or not output.exists():
            failure = result.stderr.decode(errors="replace")[-300:]
            Recording.objects.filter(pk=recording.pk).update(
                status=Recording.Status.FAILED, failure=failure
            )
            recording.refresh_from_db()
            return recording
        duration = probe_duration_seconds(output)
        with output.open("rb") as handle:
            recording.file.save(f"{recording.stream.public_id}.mp4", File(handle), save=False)
        recording.size_bytes = output.stat().st_size
    recording.duration_seconds = duration
    recording.status = Recording.Status.READY
    recording.ready_at = timezone.now()
    recording.save(update_fields=["file", "size_bytes", "duration_seconds", "status", "ready_at"])
    for part in parts:
        part.unlink(missing_ok=True)
    return recording


def delete_vod(*, stream: Stream, actor) -> None:
    """The host deletes their VOD (file and row)."""
    if stream.host_id != actor.pk:
        raise StreamNotEditable(_("Only the host can delete this video."), code="not_stream_host")
    recording = Recording.objects.filter(stream=stream).first()
    if recording is None:
        return
    for part in recording.source_paths:
        Path(part).unlink(missing_ok=True)
    if recording.file:
        recording.file.delete(save=False)
    recording.delete()


def remove_live_media(*, stream: Stream) -> None:
    """Delete an ended stream's live HLS folder (its VOD, if any, lives elsewhere)."""
    shutil.rmtree(live_media_folder(stream), ignore_errors=True)
