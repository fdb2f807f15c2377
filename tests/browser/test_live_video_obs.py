"""OBS path, with the real binaries: ffmpeg publishes RTMP to nginx-rtmp, which asks
the app (on_publish / on_update / on_publish_done), writes HLS, and a headless
Chromium plays it."""

import json
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest

from streams.media_server import media_server_available
from streams.models import Stream
from streams.services import keys, lifecycle
from tests.browser.servers import asgi_server, media_server
from tests.conftest import require_service
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers(tmp_path):
    require_service(media_server_available(), "nginx with the RTMP module")
    require_service(shutil.which("ffmpeg") is not None, "ffmpeg")
    with (
        asgi_server() as app_address,
        media_server(app_address=app_address, runtime_dir=tmp_path / "nginx") as (
            rtmp_port,
            http_port,
        ),
    ):
        yield {"app": app_address, "rtmp_port": rtmp_port, "site": f"127.0.0.1:{http_port}"}


def publish(rtmp_port: int, key: str) -> subprocess.Popen:
    """What OBS does, with a test pattern and a tone: H.264 with 2 s keyframes + AAC."""
    return subprocess.Popen(  # noqa: S603
        [  # noqa: S607 - ffmpeg from PATH, as the test requires
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
            "-pix_fmt", "yuv420p", "-g", "50", "-c:a", "aac", "-b:a", "96k",
            "-f", "flv", f"rtmp://127.0.0.1:{rtmp_port}/live/{key}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_until(predicate, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(step)
    return None


def live_stream_of(host):
    return Stream.objects.filter(host=host, status=Stream.Status.LIVE).first()


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test URL
        return response.status, response.read().decode()


def stop(encoder: subprocess.Popen) -> None:
    if encoder.poll() is None:
        encoder.send_signal(signal.SIGINT)
        try:
            encoder.wait(10)
        except subprocess.TimeoutExpired:
            encoder.kill()
            encoder.wait()


def test_obs_goes_live_plays_in_chromium_and_ends_when_the_encoder_stops(servers, browser):
    creator = UserFactory(is_creator=True, username="obs_creator")
    key = keys.reveal_stream_key(key=keys.get_or_create_stream_key(creator=creator))
    encoder = publish(servers["rtmp_port"], key)
    try:
        stream = wait_until(lambda: live_stream_of(creator), timeout=5)
        assert stream is not None, "the stream was not live within 5 s"

        _status, body = fetch(f"http://{servers['app']}/api/v1/streams/?status=live")
        listed = json.loads(body)["results"]
        assert [item["id"] for item in listed] == [stream.pk]
        assert key not in body

        playlist_url = f"http://{servers['site']}{stream.playlist_url}"
        assert key not in playlist_url
        playlist = wait_until(lambda: _segments_listed(playlist_url), timeout=15)
        assert playlist, "no HLS playlist with segments was served"
        assert key not in playlist
        assert stream.public_id in playlist_url

        context = browser.new_context(base_url=f"http://{servers['site']}")
        page = context.new_page()
        page.goto(stream.get_absolute_url())
        video = page.locator("video").first
        video.wait_for()
        page.wait_for_function(
            "() => { const v = document.querySelector('video'); return v && v.currentTime > 1; }",
            timeout=20_000,
        )
        first = video.evaluate("v => v.currentTime")
        page.wait_for_timeout(1500)
        assert video.evaluate("v => v.currentTime") > first, "the video is not playing"
        context.close()
    finally:
        stop(encoder)
    ended = wait_until(
        lambda: Stream.objects.get(pk=stream.pk).status == Stream.Status.ENDED, timeout=15
    )
    assert ended, "the stream did not end within 15 s of the encoder stopping"


def _segments_listed(playlist_url: str) -> str | None:
    try:
        status, body = fetch(playlist_url)
    except OSError:
        return None
    return body if status == 200 and ".ts" in body else None


def test_a_wrong_key_is_refused_and_nothing_goes_live(servers, settings):
    creator = UserFactory(is_creator=True)
    keys.get_or_create_stream_key(creator=creator)
    playlists_before = set(settings.HLS_ROOT.glob("*/index.m3u8"))
    encoder = publish(servers["rtmp_port"], "hb_live_not-a-real-key")
    try:
        assert wait_until(lambda: encoder.poll() is not None, timeout=10), "nginx kept the publish"
    finally:
        stop(encoder)
    assert not Stream.objects.filter(status=Stream.Status.LIVE).exists()
    assert set(settings.HLS_ROOT.glob("*/index.m3u8")) == playlists_before


@pytest.mark.parametrize("cut_off", ["rotate_key", "moderator_ends", "host_banned"])
def test_the_publisher_is_disconnected_within_30_seconds(servers, cut_off):
    creator = UserFactory(is_creator=True)
    key = keys.reveal_stream_key(key=keys.get_or_create_stream_key(creator=creator))
    encoder = publish(servers["rtmp_port"], key)
    try:
        stream = wait_until(lambda: live_stream_of(creator), timeout=5)
        assert stream is not None
        if cut_off == "rotate_key":
            keys.rotate_stream_key(creator=creator)
        elif cut_off == "moderator_ends":
            lifecycle.end_stream_as_moderator(stream=stream)
        else:
            creator.is_active = False
            creator.save(update_fields=["is_active"])
        assert wait_until(lambda: encoder.poll() is not None, timeout=30), "still publishing"
    finally:
        stop(encoder)
    assert Stream.objects.get(pk=stream.pk).status == Stream.Status.ENDED
