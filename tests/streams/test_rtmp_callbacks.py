"""nginx-rtmp's callbacks over HTTP, posted the way nginx-rtmp posts them."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from streams.keys import KEY_PREFIX, media_server_secret
from streams.models import Recording, Stream
from streams.services.keys import get_or_create_stream_key, reveal_stream_key, rotate_stream_key
from streams.services.lifecycle import create_stream
from streams.services.publishing import claim_browser_publisher

pytestmark = pytest.mark.django_db


@pytest.fixture
def stream_key(creator) -> str:
    return reveal_stream_key(key=get_or_create_stream_key(creator=creator))


def nginx_posts(client, event: str, *, secret: str | None = "", relay: str = "", **fields):
    """POST like nginx-rtmp: form-encoded fields, the shared secret in the query string."""
    query = {}
    if secret is not None:
        query["secret"] = secret or media_server_secret()
    if relay:
        query["relay"] = relay
    url = reverse("rtmp-callback", args=[event])
    if query:
        url += "?" + urlencode(query)
    body = {"app": "live", "addr": "203.0.113.7", "clientid": "42", "flashver": "FMLE/3.0"}
    body.update(fields)
    return client.post(url, urlencode(body), content_type="application/x-www-form-urlencoded")


def publish(client, key: str, **options):
    return nginx_posts(client, "publish", call="publish", name=key, type="live", **options)


@pytest.mark.parametrize("secret", [None, "not-the-secret"], ids=["no secret", "wrong secret"])
def test_callbacks_without_the_media_server_secret_are_refused(client, stream_key, secret):
    response = publish(client, stream_key, secret=secret)

    assert response.status_code == 403
    assert not Stream.objects.filter(status=Stream.Status.LIVE).exists()


def test_only_post_is_accepted(client):
    url = (
        reverse("rtmp-callback", args=["publish"])
        + "?"
        + urlencode({"secret": media_server_secret()})
    )

    assert client.get(url).status_code == 405


def test_a_valid_key_goes_live_and_is_relayed_under_the_public_id(client, creator, stream_key):
    response = publish(client, stream_key)

    stream = Stream.objects.get(host=creator)
    assert stream.status == Stream.Status.LIVE
    assert stream.ingest == Stream.Ingest.RTMP
    assert response.status_code in (301, 302, 303, 307, 308)
    location = response["Location"]
    assert location == f"rtmp://127.0.0.1:1935/hls/{stream.public_id}"
    random_part = stream_key.removeprefix(KEY_PREFIX)
    assert not any(random_part[i : i + 6] in location for i in range(len(random_part) - 5))


def test_the_relay_address_comes_from_the_media_servers_configuration(client, stream_key):
    response = publish(client, stream_key, relay="media.internal:1936")

    stream = Stream.objects.get()
    assert response["Location"] == f"rtmp://media.internal:1936/hls/{stream.public_id}"


def test_a_wrong_key_is_refused(client, creator, stream_key):
    response = publish(client, KEY_PREFIX + "someone-guessing")

    assert response.status_code == 403
    assert response.content == b"unknown_stream_key"
    assert not Stream.objects.exists()


def test_publishing_while_live_from_the_browser_is_refused(client, creator, stream_key):
    stream = create_stream(host=creator, title="Phone")
    claim_browser_publisher(stream_id=stream.pk, user=creator)

    response = publish(client, stream_key)

    assert response.status_code == 403
    assert response.content == b"already_live"


def test_updates_keep_a_valid_publisher_on_air(client, stream_key):
    publish(client, stream_key)

    response = nginx_posts(client, "update", call="update_publish", name=stream_key, time="10")

    assert response.status_code == 200


def test_an_update_after_the_key_was_rotated_cuts_the_encoder_off(client, creator, stream_key):
    publish(client, stream_key)
    rotate_stream_key(creator=creator)

    response = nginx_posts(client, "update", call="update_publish", name=stream_key, time="20")

    assert response.status_code == 403
    stream = Stream.objects.get(host=creator)
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.KEY_REVOKED


def test_updates_about_the_internal_relay_are_accepted(client):
    response = nginx_posts(client, "update", call="update_play", name="anything", app="hls")

    assert response.status_code == 200


def test_the_encoder_stopping_ends_the_stream(client, creator, stream_key):
    publish(client, stream_key)

    response = nginx_posts(client, "publish_done", call="publish_done", name=stream_key)

    assert response.status_code == 200
    stream = Stream.objects.get(host=creator)
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.HOST


def test_a_finished_recording_is_attached_to_the_stream(client, creator, stream_key, settings):
    create_stream(host=creator, title="Concert", record=True)
    publish(client, stream_key)
    stream = Stream.objects.get(host=creator)
    settings.RECORDINGS_ROOT.mkdir(parents=True, exist_ok=True)
    part = settings.RECORDINGS_ROOT / f"{stream.public_id}-1700000000.flv"
    part.write_bytes(b"FLV")

    response = nginx_posts(
        client,
        "record_done",
        call="record_done",
        app="hls",
        name=stream.public_id,
        path=str(part),
        recorder="vod",
    )

    assert response.status_code == 200
    assert Recording.objects.get(stream=stream).source_paths == [str(part)]
