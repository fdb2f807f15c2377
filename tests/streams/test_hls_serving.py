"""Live HLS served by Django (for `make run` and tests; nginx serves it in production)."""

import pytest
from django.conf import settings
from django.urls import reverse

from streams.models import new_public_id

PLAYLIST = (
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nsegment-1700000000.ts\n"
)
SEGMENT = b"\x47" + b"\x00" * 187  # one MPEG-TS packet


@pytest.fixture
def public_id() -> str:
    public_id = new_public_id()
    folder = settings.HLS_ROOT / public_id
    folder.mkdir(parents=True)
    (folder / "index.m3u8").write_text(PLAYLIST)
    (folder / "segment-1700000000.ts").write_bytes(SEGMENT)
    (folder / "notes.txt").write_text("not media")
    (folder / "trap.ts").mkdir()
    return public_id


def hls_url(public_id: str, filename: str) -> str:
    return reverse("hls", args=[public_id, filename])


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_the_playlist_is_served_fresh_every_time(client, public_id):
    response = client.get(hls_url(public_id, "index.m3u8"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    assert response["Cache-Control"] == "no-cache"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert body(response).decode() == PLAYLIST


def test_segments_are_served_as_mpeg_ts_and_may_be_cached(client, public_id):
    response = client.get(hls_url(public_id, "segment-1700000000.ts"))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp2t"
    assert "max-age" in response["Cache-Control"]
    assert body(response) == SEGMENT


@pytest.mark.parametrize(
    "path",
    [
        "/hls/{public_id}/..",
        "/hls/{public_id}/..%2Findex.m3u8",
        "/hls/{public_id}/%2E%2E%2F%2E%2E%2Fsettings.m3u8",
        "/hls/{public_id}/../index.m3u8",
        "/hls/../{public_id}/index.m3u8",
        "/hls/..%2F{public_id}/index.m3u8",
        "/hls/..%2Flive%2F{public_id}/index.m3u8",
    ],
)
def test_paths_that_climb_out_of_the_hls_folder_are_not_found(client, public_id, path):
    assert client.get(path.format(public_id=public_id)).status_code == 404


@pytest.mark.parametrize(
    "bad_public_id",
    ["..", "NOT-HEX-AT-ALL", "abc", "0123456789abcdef0123456789abcdef0", "live"],
)
def test_a_malformed_public_id_is_not_found(client, public_id, bad_public_id):
    assert client.get(hls_url(bad_public_id, "index.m3u8")).status_code == 404


@pytest.mark.parametrize(
    "filename", ["notes.txt", "index.m3u8.txt", ".index.m3u8", "index", "trap.ts", "index.M3U8"]
)
def test_only_hls_files_are_served(client, public_id, filename):
    assert client.get(hls_url(public_id, filename)).status_code == 404


def test_a_missing_playlist_or_stream_is_not_found(client, public_id):
    assert client.get(hls_url(public_id, "segment-1.ts")).status_code == 404
    assert client.get(hls_url(new_public_id(), "index.m3u8")).status_code == 404


def test_only_get_is_allowed(client, public_id):
    assert client.post(hls_url(public_id, "index.m3u8")).status_code == 405
