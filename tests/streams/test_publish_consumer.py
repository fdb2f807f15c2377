"""The studio's publishing socket, end to end through a real ffmpeg."""

import asyncio
import shutil
import subprocess

import psutil
import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator

from streams.models import Recording, Stream
from streams.routing import websocket_urlpatterns
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.streams.factories import StreamFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def webm_bytes(tmp_path_factory):
    """Six seconds of WebM like Chromium's MediaRecorder makes (VP8 + Opus)."""
    require_service(shutil.which("ffmpeg") is not None, "ffmpeg")
    path = tmp_path_factory.mktemp("webm") / "camera.webm"
    subprocess.run(  # noqa: S603
        [  # noqa: S607 - ffmpeg from PATH
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "6", "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "500k",
            "-c:a", "libopus", "-f", "webm", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def ffmpeg_children() -> list:
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "ffmpeg" in child.name() and child.status() != psutil.STATUS_ZOMBIE
    ]


async def connect(stream, user):
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/streams/{stream.pk}/publish/"
    )
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def send_media(communicator, data: bytes) -> None:
    for start in range(0, len(data), CHUNK_BYTES):
        await communicator.send_to(bytes_data=data[start : start + CHUNK_BYTES])
        await asyncio.sleep(0.02)


async def receive_until(communicator, wanted: str, timeout: float = 15):
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] in (wanted, "error"):
            return message


async def closed_by_server(communicator) -> None:
    """The server closed the socket; then, as a real server does, tell the app."""
    assert (await communicator.receive_output(timeout=5))["type"] == "websocket.close"
    await communicator.disconnect()


refresh = database_sync_to_async(lambda stream: Stream.objects.get(pk=stream.pk))


async def test_host_goes_live_from_the_browser_and_stop_ends_the_stream(webm_bytes, settings):
    stream = await database_sync_to_async(StreamFactory)(record=True)
    communicator = await connect(stream, stream.host)
    ready = await communicator.receive_json_from(timeout=5)
    assert ready["type"] == "publish.ready"
    assert (await refresh(stream)).status == Stream.Status.LIVE

    await send_media(communicator, webm_bytes)
    live = await receive_until(communicator, "publish.live")
    assert live["type"] == "publish.live"
    playlist = settings.HLS_ROOT / stream.public_id / "index.m3u8"
    assert "#EXTINF" in playlist.read_text()
    assert list(playlist.parent.glob("segment-*.ts"))

    await communicator.send_json_to({"type": "publish.stop"})
    assert (await receive_until(communicator, "publish.ended"))["type"] == "publish.ended"
    await closed_by_server(communicator)
    stream = await refresh(stream)
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.HOST
    assert ffmpeg_children() == []
    recording = await database_sync_to_async(Recording.objects.get)(stream=stream)
    assert recording.status == Recording.Status.READY
    assert recording.duration_seconds >= 3


async def test_someone_else_cannot_publish_to_a_stream():
    stream = await database_sync_to_async(StreamFactory)()
    intruder = await database_sync_to_async(UserFactory)()
    communicator = await connect(stream, intruder)
    error = await communicator.receive_json_from(timeout=5)
    assert error == {
        "type": "error",
        "code": "not_stream_host",
        "message": "Only the host can publish to this stream.",
    }
    assert (await communicator.receive_output(timeout=2))["type"] == "websocket.close"
    assert (await refresh(stream)).status == Stream.Status.SCHEDULED
    assert ffmpeg_children() == []


async def test_a_second_tab_cannot_publish_over_the_first(webm_bytes):
    stream = await database_sync_to_async(StreamFactory)()
    first = await connect(stream, stream.host)
    assert (await first.receive_json_from(timeout=5))["type"] == "publish.ready"
    await first.send_to(bytes_data=webm_bytes[:CHUNK_BYTES])

    second = await connect(stream, stream.host)
    error = await second.receive_json_from(timeout=5)
    assert error["code"] == "already_publishing"
    await first.send_json_to({"type": "publish.stop"})
    await receive_until(first, "publish.ended")
    await closed_by_server(first)
    assert ffmpeg_children() == []


async def test_garbage_bytes_end_cleanly_with_an_error_frame():
    stream = await database_sync_to_async(StreamFactory)()
    communicator = await connect(stream, stream.host)
    assert (await communicator.receive_json_from(timeout=5))["type"] == "publish.ready"
    for _ in range(20):
        await communicator.send_to(bytes_data=b"this is not a video at all " * 4000)
        await asyncio.sleep(0.05)
    error = await receive_until(communicator, "never", timeout=15)
    assert error["code"] == "bad_media"
    await closed_by_server(communicator)
    assert (await refresh(stream)).status == Stream.Status.INTERRUPTED
    assert ffmpeg_children() == []


async def test_a_stalled_upload_is_cut_off_and_the_stream_interrupted(webm_bytes, settings):
    settings.BROWSER_INGEST_STALL_SECONDS = 2
    stream = await database_sync_to_async(StreamFactory)()
    communicator = await connect(stream, stream.host)
    assert (await communicator.receive_json_from(timeout=5))["type"] == "publish.ready"
    await communicator.send_to(bytes_data=webm_bytes[:CHUNK_BYTES])
    error = await receive_until(communicator, "never", timeout=10)
    assert error["code"] == "stalled"
    await closed_by_server(communicator)
    assert (await refresh(stream)).status == Stream.Status.INTERRUPTED
    assert ffmpeg_children() == []


async def test_an_unknown_control_message_gets_an_error_and_keeps_the_socket(webm_bytes):
    stream = await database_sync_to_async(StreamFactory)()
    communicator = await connect(stream, stream.host)
    assert (await communicator.receive_json_from(timeout=5))["type"] == "publish.ready"
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_json_from())["code"] == "invalid_frame"
    await communicator.send_json_to({"type": "dance"})
    assert (await communicator.receive_json_from())["code"] == "unknown_type"
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()
    assert (await refresh(stream)).status == Stream.Status.INTERRUPTED
    assert ffmpeg_children() == []
