"""Thumbnails, VODs and the browser ingest command, with the real ffmpeg."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from streams.exceptions import StreamNotEditable
from streams.ffmpeg import browser_ingest_command, ffmpeg_binary, probe_duration_seconds
from streams.models import Recording, Stream, ThumbnailFrame
from streams.services.media import (
    build_vod,
    capture_thumbnail,
    delete_vod,
    live_media_folder,
    remove_live_media,
)
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory

pytestmark = pytest.mark.django_db

TEST_PATTERN = ("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine")


@pytest.fixture(autouse=True)
def _needs_ffmpeg():
    require_service(shutil.which("ffmpeg") is not None, "ffmpeg")


def run_ffmpeg(*arguments: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *arguments],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=True,
    )


def broadcast_hls(stream: Stream, *, seconds: int = 4) -> Path:
    """A few seconds of live HLS in the stream's folder, as the ingest would write it."""
    folder = live_media_folder(stream)
    folder.mkdir(parents=True, exist_ok=True)
    playlist = folder / "index.m3u8"
    run_ffmpeg(
        *TEST_PATTERN,
        "-t",
        str(seconds),
        "-c:v",
        "libx264",
        "-c:a",
        "aac",
        "-f",
        "hls",
        "-hls_time",
        "1",
        str(playlist),
    )
    return playlist


def record_part(path: Path, *, seconds: int, container: str) -> Path:
    """A recorded part as an ingest writes it: H.264/AAC in MPEG-TS or FLV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        *TEST_PATTERN,
        "-t",
        str(seconds),
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-f",
        container,
        str(path),
    )
    return path


def processing_recording(stream: Stream, parts: list[Path]) -> Recording:
    return Recording.objects.create(
        stream=stream,
        status=Recording.Status.PROCESSING,
        source_paths=[str(part) for part in parts],
    )


# --- Thumbnails ---------------------------------------------------------------------


def test_a_thumbnail_is_grabbed_from_the_newest_live_segment():
    stream = LiveStreamFactory()
    broadcast_hls(stream)

    frame = capture_thumbnail(stream_id=stream.pk)

    assert isinstance(frame, ThumbnailFrame)
    with Image.open(frame.image.path) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 480)
    stream.refresh_from_db()
    assert stream.thumbnail
    with Image.open(stream.thumbnail.path) as image:
        assert image.format == "JPEG"


def test_only_the_newest_frames_are_kept(settings):
    settings.THUMBNAIL_FRAMES_KEPT = 2
    stream = LiveStreamFactory()
    broadcast_hls(stream)

    frames = [capture_thumbnail(stream_id=stream.pk) for _ in range(3)]

    kept = list(ThumbnailFrame.objects.filter(stream=stream))
    assert [frame.pk for frame in kept] == [frames[2].pk, frames[1].pk]
    assert not Path(frames[0].image.path).exists()
    assert all(Path(frame.image.path).exists() for frame in kept)
    stream.refresh_from_db()
    thumbnails = list((Path(settings.MEDIA_ROOT) / "thumbnails").glob(f"{stream.public_id}*"))
    assert thumbnails == [Path(stream.thumbnail.path)], "older grid thumbnails are deleted"


def test_no_thumbnail_without_a_segment_or_off_air():
    live_without_video = LiveStreamFactory()
    ended = EndedStreamFactory()
    broadcast_hls(ended)

    assert capture_thumbnail(stream_id=live_without_video.pk) is None
    assert capture_thumbnail(stream_id=ended.pk) is None
    assert not ThumbnailFrame.objects.exists()


def test_ended_streams_live_media_can_be_removed():
    stream = EndedStreamFactory()
    broadcast_hls(stream, seconds=2)

    remove_live_media(stream=stream)

    assert not live_media_folder(stream).exists()


# --- VODs ---------------------------------------------------------------------------


def test_recorded_mpeg_ts_parts_become_one_mp4_vod(tmp_path):
    stream = EndedStreamFactory(record=True)
    parts = [
        record_part(
            settings.RECORDINGS_ROOT / f"{stream.public_id}-1.ts", seconds=2, container="mpegts"
        ),
        record_part(
            settings.RECORDINGS_ROOT / f"{stream.public_id}-2.ts", seconds=3, container="mpegts"
        ),
    ]
    processing_recording(stream, parts)

    recording = build_vod(stream_id=stream.pk)

    assert recording.status == Recording.Status.READY, recording.failure
    video = Path(recording.file.path)
    assert video.suffix == ".mp4"
    assert video.read_bytes()[4:8] == b"ftyp"
    assert recording.size_bytes == video.stat().st_size
    assert abs(recording.duration_seconds - 5) <= 1
    assert probe_duration_seconds(video) == recording.duration_seconds
    assert recording.ready_at is not None
    assert not any(part.exists() for part in parts), "raw parts are deleted once the VOD is saved"
    assert Recording.objects.get(pk=recording.pk).status == Recording.Status.READY


def test_an_flv_part_from_nginx_rtmp_is_remuxed_too():
    stream = EndedStreamFactory(record=True)
    part = record_part(
        settings.RECORDINGS_ROOT / f"{stream.public_id}-1700000000.flv", seconds=3, container="flv"
    )
    processing_recording(stream, [part])

    recording = build_vod(stream_id=stream.pk)

    assert recording.status == Recording.Status.READY, recording.failure
    assert abs(recording.duration_seconds - 3) <= 1
    assert not part.exists()


def test_building_a_ready_vod_again_changes_nothing():
    stream = EndedStreamFactory(record=True)
    part = record_part(
        settings.RECORDINGS_ROOT / f"{stream.public_id}-1.ts", seconds=2, container="mpegts"
    )
    processing_recording(stream, [part])
    first = build_vod(stream_id=stream.pk)

    again = build_vod(stream_id=stream.pk)

    assert again.status == Recording.Status.READY
    assert again.file.name == first.file.name
    assert again.ready_at == first.ready_at


@pytest.mark.parametrize("parts", ["none", "missing", "empty"])
def test_a_recording_with_nothing_recorded_fails(tmp_path, parts):
    stream = EndedStreamFactory(record=True)
    empty = tmp_path / "empty.ts"
    empty.write_bytes(b"")
    paths = {"none": [], "missing": [tmp_path / "gone.ts"], "empty": [empty]}[parts]
    processing_recording(stream, paths)

    recording = build_vod(stream_id=stream.pk)

    assert recording.status == Recording.Status.FAILED
    assert recording.failure == "Nothing was recorded."
    assert not recording.file


def test_a_corrupt_part_fails_with_ffmpegs_reason(tmp_path):
    stream = EndedStreamFactory(record=True)
    garbage = tmp_path / "garbage.ts"
    garbage.write_bytes(b"this is not video " * 100)
    processing_recording(stream, [garbage])

    recording = build_vod(stream_id=stream.pk)

    assert recording.status == Recording.Status.FAILED
    assert recording.failure
    assert not recording.file


def test_only_a_processing_recording_is_built():
    stream = LiveStreamFactory(record=True)
    Recording.objects.create(stream=stream)  # still recording

    assert build_vod(stream_id=stream.pk).status == Recording.Status.RECORDING
    assert build_vod(stream_id=EndedStreamFactory().pk) is None


def test_the_host_can_delete_their_vod():
    stream = EndedStreamFactory(record=True)
    part = record_part(
        settings.RECORDINGS_ROOT / f"{stream.public_id}-1.ts", seconds=2, container="mpegts"
    )
    processing_recording(stream, [part])
    video = Path(build_vod(stream_id=stream.pk).file.path)

    delete_vod(stream=stream, actor=stream.host)

    assert not video.exists()
    assert not Recording.objects.filter(stream=stream).exists()


def test_nobody_else_can_delete_a_hosts_vod():
    stream = EndedStreamFactory(record=True)
    part = record_part(
        settings.RECORDINGS_ROOT / f"{stream.public_id}-1.ts", seconds=2, container="mpegts"
    )
    processing_recording(stream, [part])
    video = Path(build_vod(stream_id=stream.pk).file.path)

    with pytest.raises(StreamNotEditable) as refused:
        delete_vod(stream=stream, actor=UserFactory())

    assert refused.value.code == "not_stream_host"
    assert video.exists()
    assert Recording.objects.filter(stream=stream).exists()


# --- The browser ingest command -----------------------------------------------------


@pytest.fixture
def camera_webm(tmp_path) -> bytes:
    """What MediaRecorder sends: VP8 video and Opus audio in WebM."""
    webm = tmp_path / "camera.webm"
    run_ffmpeg(
        *TEST_PATTERN,
        "-t",
        "5",
        "-c:v",
        "libvpx",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-c:a",
        "libopus",
        "-f",
        "webm",
        str(webm),
    )
    return webm.read_bytes()


def test_the_browser_ingest_command_turns_webm_into_live_hls(camera_webm):
    stream = LiveStreamFactory()
    folder = live_media_folder(stream)
    folder.mkdir(parents=True)
    playlist = folder / "index.m3u8"

    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        browser_ingest_command(playlist=playlist, recording_part=None),
        input=camera_webm,
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr.decode(errors="replace")
    segments = sorted(folder.glob("segment-*.ts"))
    assert segments
    listed = [line for line in playlist.read_text().splitlines() if line.endswith(".ts")]
    assert listed and all((folder / name).exists() for name in listed)
    assert not list(settings.RECORDINGS_ROOT.glob(f"{stream.public_id}*"))


def test_the_browser_ingest_command_also_records_a_part_that_becomes_the_vod(camera_webm):
    stream = LiveStreamFactory(record=True)
    folder = live_media_folder(stream)
    folder.mkdir(parents=True)
    playlist = folder / "index.m3u8"
    settings.RECORDINGS_ROOT.mkdir(parents=True, exist_ok=True)
    part = settings.RECORDINGS_ROOT / f"{stream.public_id}-1.ts"

    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        browser_ingest_command(playlist=playlist, recording_part=part),
        input=camera_webm,
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert playlist.exists()
    assert list(folder.glob("segment-*.ts"))
    assert part.stat().st_size > 0

    processing_recording(stream, [part])
    recording = build_vod(stream_id=stream.pk)
    assert recording.status == Recording.Status.READY, recording.failure
    assert abs(recording.duration_seconds - 5) <= 1
