"""Finding ffmpeg and building its command lines, in one place for every caller.

ffmpeg comes from FFMPEG_BINARY, else the system PATH, else the imageio-ffmpeg wheel
(a static build with libx264), so `make run` needs no system packages.
"""

import functools
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings


class FfmpegMissing(RuntimeError):
    pass


@functools.cache
def ffmpeg_binary() -> str:
    if settings.FFMPEG_BINARY:
        return settings.FFMPEG_BINARY
    system = shutil.which("ffmpeg")
    if system:
        return system
    try:
        import imageio_ffmpeg
    except ImportError as error:  # pragma: no cover - imageio-ffmpeg is a requirement
        raise FfmpegMissing(
            "ffmpeg not found: install it or `pip install imageio-ffmpeg`"
        ) from error
    return imageio_ffmpeg.get_ffmpeg_exe()


def browser_ingest_command(*, playlist: Path, recording_part: Path | None) -> list[str]:
    """WebM from MediaRecorder on stdin -> H.264/AAC HLS in BROWSER_HLS_SEGMENT_SECONDS segments.

    Keyframes are forced every segment so each segment starts cleanly; segment
    numbers come from the clock so a reconnecting studio never overwrites earlier
    segments. With `recording_part`, the same encode is also written to an MPEG-TS
    file for the VOD (tee muxer, no second encode).
    """
    segment = settings.BROWSER_HLS_SEGMENT_SECONDS
    # The same playlist window (in seconds) as the OBS path.
    window = settings.HLS_SEGMENT_SECONDS * settings.HLS_PLAYLIST_SEGMENTS
    list_size = max(3, window // segment)
    hls_options = (
        f"f=hls:hls_time={segment}:hls_list_size={list_size}"
        ":hls_flags=delete_segments+append_list+omit_endlist+discont_start+independent_segments"
        ":hls_start_number_source=epoch"
        f":hls_segment_filename={playlist.parent / 'segment-%d.ts'}"
    )
    outputs = f"[{hls_options}]{playlist}"
    if recording_part is not None:
        outputs += f"|[f=mpegts]{recording_part}"
    return [
        ffmpeg_binary(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-fflags",
        # No `nobuffer`: it drops the probed packets, the first VP8 keyframe among them,
        # which delayed the first segment by ~2 s and showed a still frame.
        "+genpts+discardcorrupt",
        # MediaRecorder's WebM header names its tracks; a short probe starts output sooner.
        "-probesize",
        "256k",
        "-analyzeduration",
        "500000",
        "-f",
        "webm",
        "-i",
        "pipe:0",
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-vf",
        "scale='min(1280,iw)':-2",
        "-r",
        "30",
        "-b:v",
        "2500k",
        "-maxrate",
        "3000k",
        "-bufsize",
        "6000k",
        "-force_key_frames",
        f"expr:gte(t,n_forced*{segment})",
        "-sc_threshold",
        "0",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-ar",
        "48000",
        "-f",
        "tee",
        outputs,
    ]


def thumbnail_command(*, source: Path, output: Path, width: int = 640) -> list[str]:
    """One JPEG frame from the newest live segment."""
    return [
        ffmpeg_binary(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(source),
        "-frames:v",
        "1",
        "-vf",
        f"scale={width}:-2",
        "-q:v",
        "4",
        str(output),
    ]


def remux_command(*, concat_list: Path, output: Path) -> list[str]:
    """Join recorded parts (MPEG-TS or FLV, H.264/AAC) into one MP4 without re-encoding."""
    return [
        ffmpeg_binary(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        str(concat_list),
        "-c",
        "copy",
        "-bsf:a",
        "aac_adtstoasc",
        "-movflags",
        "+faststart",
        str(output),
    ]


_DURATION = re.compile(rb"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")


def probe_duration_seconds(path: Path) -> int:
    """A media file's duration from ffmpeg's header read (no ffprobe in the wheel)."""
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [ffmpeg_binary(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        timeout=20,
        check=False,
    )
    match = _DURATION.search(result.stderr)
    if not match:
        return 0
    hours, minutes, seconds = match.groups()
    return int(int(hours) * 3600 + int(minutes) * 60 + float(seconds))
