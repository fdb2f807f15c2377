"""Browser ingest: MediaRecorder WebM chunks piped into one ffmpeg process per stream.

The publish consumer owns a BrowserIngest for its connection. ffmpeg writes the live
HLS playlist (and, when recording, an MPEG-TS part) under HLS_ROOT/<public_id>/.
`stop()` always reaps the process: stdin is closed so ffmpeg can flush the last
segment, then it is terminated, then killed — no orphan ffmpeg survives a socket.
"""

import asyncio
import contextlib
import logging
from pathlib import Path

from django.conf import settings

from streams.ffmpeg import browser_ingest_command

logger = logging.getLogger(__name__)

WRITE_TIMEOUT_SECONDS = 5
FLUSH_TIMEOUT_SECONDS = 5
TERMINATE_TIMEOUT_SECONDS = 2
STDERR_KEPT_BYTES = 2000
KEEP_FILE = ".keep"


class IngestFailed(Exception):
    """ffmpeg refused the media (not WebM, corrupt) or could not keep up."""

    def __init__(self, message: str, *, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class BrowserIngest:
    def __init__(self, *, public_id: str, recording_part: Path | None = None):
        self.folder = settings.HLS_ROOT / public_id
        self.playlist = self.folder / "index.m3u8"
        self.recording_part = recording_part
        self.process: asyncio.subprocess.Process | None = None
        self._stderr_tail = b""
        self._stderr_task: asyncio.Task | None = None
        self.bytes_received = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def error_output(self) -> str:
        return self._stderr_tail.decode(errors="replace").strip()

    async def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # nginx-rtmp's HLS cleanup removes empty folders under HLS_ROOT; one that
        # vanished before ffmpeg's first write would fail the go-live.
        (self.folder / KEEP_FILE).touch()
        command = browser_ingest_command(playlist=self.playlist, recording_part=self.recording_part)
        self.process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._stderr_task = asyncio.create_task(self._collect_stderr())

    async def _collect_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while chunk := await self.process.stderr.read(1024):
            self._stderr_tail = (self._stderr_tail + chunk)[-STDERR_KEPT_BYTES:]

    async def feed(self, chunk: bytes) -> None:
        """Hand one MediaRecorder chunk to ffmpeg. Raises IngestFailed when ffmpeg has
        exited (it could not read the media) or stops reading for WRITE_TIMEOUT_SECONDS."""
        if not self.running:
            raise IngestFailed("The video encoder stopped.", detail=self.error_output)
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(chunk)
            await asyncio.wait_for(self.process.stdin.drain(), WRITE_TIMEOUT_SECONDS)
        except (BrokenPipeError, ConnectionResetError) as error:
            await self._wait_briefly()
            raise IngestFailed("The video encoder stopped.", detail=self.error_output) from error
        except TimeoutError as error:
            raise IngestFailed("The video encoder is not keeping up.") from error
        self.bytes_received += len(chunk)

    async def wait_for_exit(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    async def _wait_briefly(self) -> None:
        if self.process is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), 1)
        if self._stderr_task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._stderr_task), 1)

    async def stop(self) -> None:
        """Flush and reap ffmpeg; safe to call more than once."""
        process = self.process
        if process is None:
            return
        if process.returncode is None:
            if process.stdin is not None and not process.stdin.is_closing():
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), FLUSH_TIMEOUT_SECONDS)
            except TimeoutError:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), TERMINATE_TIMEOUT_SECONDS)
                except TimeoutError:
                    process.kill()
                    await process.wait()
        if self._stderr_task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._stderr_task, 1)
        logger.info(
            "browser ingest for %s stopped (exit %s, %d bytes)",
            self.folder.name,
            process.returncode,
            self.bytes_received,
        )
