from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from streams.agora import RtcPrivilege, decode_rtc_token
from streams.exceptions import PublishRefused
from streams.models import TITLE_MAX_LENGTH, Recording, Stream, StreamKey
from streams.services.keys import find_publishable_key
from tests.factories import UserFactory
from tests.streams.factories import (
    EndedStreamFactory,
    LiveStreamFactory,
    StreamFactory,
    category,
)

pytestmark = pytest.mark.django_db

AGORA_TEST_APP_ID = "0123456789abcdef0123456789abcdef"
AGORA_TEST_APP_CERTIFICATE = "fedcba9876543210fedcba9876543210"

PUBLIC_STREAM_FIELDS = {
    "id",
    "title",
    "description",
    "status",
    "category",
    "language",
    "tags",
    "host",
    "current_viewers",
    "peak_viewers",
    "unique_viewers",
    "thumbnail_url",
    "started_at",
    "ended_at",
    "scheduled_start",
    "record",
    "watch_url",
    "playlist_url",
    "vod",
}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def agora(settings):
    settings.VIDEO_PROVIDER = "agora"
    settings.AGORA_APP_ID = AGORA_TEST_APP_ID
    settings.AGORA_APP_CERTIFICATE = AGORA_TEST_APP_CERTIFICATE
    return settings


def list_ids(api, **params) -> list[int]:
    response = api.get(reverse("api-v1:stream-list"), params)
    assert response.status_code == 200, response.json()
    return [stream["id"] for stream in response.json()["results"]]


def in_an_hour(hours: float = 1):
    return timezone.now() + timedelta(hours=hours)


# --- Listing ---------------------------------------------------------------------------


def test_the_list_defaults_to_live_and_reconnecting_streams_most_watched_first(api):
    quiet = LiveStreamFactory(current_viewers=3)
    busy = LiveStreamFactory(current_viewers=90)
    reconnecting = LiveStreamFactory(status=Stream.Status.INTERRUPTED, current_viewers=10)
    StreamFactory(scheduled_start=in_an_hour())
    EndedStreamFactory()

    assert list_ids(api) == [busy.pk, reconnecting.pk, quiet.pk]
    assert list_ids(api, status="live") == [busy.pk, reconnecting.pk, quiet.pk]


def test_scheduled_streams_are_listed_soonest_first_and_only_with_a_start_ahead(api):
    later = StreamFactory(scheduled_start=in_an_hour(5))
    sooner = StreamFactory(scheduled_start=in_an_hour(1))
    StreamFactory(scheduled_start=None)  # a "go live now" draft, not an announcement
    LiveStreamFactory()

    assert list_ids(api, status="scheduled") == [sooner.pk, later.pk]


def test_ended_streams_are_listed_newest_first_without_cancelled_schedules(api):
    older = EndedStreamFactory(ended_at=timezone.now() - timedelta(days=2))
    newer = EndedStreamFactory(ended_at=timezone.now() - timedelta(hours=1))
    EndedStreamFactory(end_reason=Stream.EndReason.NEVER_STARTED, started_at=None)
    LiveStreamFactory()

    assert list_ids(api, status="ended") == [newer.pk, older.pk]


def test_an_unknown_status_is_a_400_with_a_field_error(api):
    response = api.get(reverse("api-v1:stream-list"), {"status": "deleted"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "status" in body["extra"]["fields"]


@pytest.mark.parametrize("status", ["live", "scheduled", "ended"])
def test_list_filters_by_category_language_country_and_text(api, status):
    factory = {
        "live": LiveStreamFactory,
        "scheduled": lambda **kwargs: StreamFactory(scheduled_start=in_an_hour(), **kwargs),
        "ended": EndedStreamFactory,
    }[status]
    brazilian_host = UserFactory(country="BR", username="samba_queen", is_creator=True)
    futebol = factory(
        category=category("sports-futebol"),
        language="pt",
        host=brazilian_host,
        title="Clássico ao vivo",
        tags=["futebol"],
    )
    music = factory(category=category("music"), language="en", title="Sitar night")

    assert list_ids(api, status=status, category="sports-futebol") == [futebol.pk]
    assert list_ids(api, status=status, category="music") == [music.pk]
    assert list_ids(api, status=status, language="pt") == [futebol.pk]
    assert list_ids(api, status=status, country="BR") == [futebol.pk]
    assert list_ids(api, status=status, country="br") == [futebol.pk]
    assert list_ids(api, status=status, q="sitar") == [music.pk]
    assert list_ids(api, status=status, q="samba") == [futebol.pk]
    assert list_ids(api, status=status, q="futebol") == [futebol.pk]
    assert list_ids(api, status=status, category="music", language="pt") == []


def test_the_list_is_paginated(api):
    for viewers in range(25):
        LiveStreamFactory(current_viewers=viewers)

    body = api.get(reverse("api-v1:stream-list")).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 25
    assert len(body["results"]) == 20
    assert body["previous"] is None
    assert body["next"]

    second_page = api.get(body["next"]).json()
    assert len(second_page["results"]) == 5
    assert second_page["next"] is None

    small = api.get(reverse("api-v1:stream-list"), {"page_size": 10}).json()
    assert len(small["results"]) == 10


def test_the_list_takes_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    for viewers in range(20):
        LiveStreamFactory(current_viewers=viewers, host=UserFactory(avatar="avatars/a.png"))
    for _ in range(20):
        stream = EndedStreamFactory(record=True)
        Recording.objects.create(
            stream=stream,
            status=Recording.Status.READY,
            file=f"vods/{stream.public_id}.mp4",
            duration_seconds=60,
        )

    # 1 count, 1 page of streams with host, category and recording joined.
    for status in ("live", "ended"):
        with django_assert_max_num_queries(2):
            response = api.get(reverse("api-v1:stream-list"), {"status": status})
        assert len(response.json()["results"]) == 20


# --- Public fields ---------------------------------------------------------------------


def test_a_live_stream_shows_its_public_fields_with_absolute_urls(api):
    host = UserFactory(username="asha", display_name="Asha", is_creator=True)
    stream = LiveStreamFactory(host=host, current_viewers=7, peak_viewers=9, unique_viewers=12)

    body = api.get(reverse("api-v1:stream-detail", args=[stream.pk])).json()

    assert set(body) == PUBLIC_STREAM_FIELDS
    assert body["status"] == "live"
    assert body["category"] == {"slug": "music", "name": "Music", "icon": "🎵"}
    assert body["host"] == {"username": "asha", "display_name": "Asha", "avatar_url": None}
    assert (body["current_viewers"], body["peak_viewers"], body["unique_viewers"]) == (7, 9, 12)
    assert body["watch_url"] == f"http://testserver/live/{stream.pk}/"
    assert body["playlist_url"] == f"http://testserver/hls/{stream.public_id}/index.m3u8"
    assert body["thumbnail_url"] is None
    assert body["vod"] is None


def test_category_names_follow_the_request_language(api):
    stream = LiveStreamFactory()
    body = api.get(
        reverse("api-v1:stream-detail", args=[stream.pk]), HTTP_ACCEPT_LANGUAGE="ne"
    ).json()
    assert body["category"]["name"] == "संगीत"


def test_a_stream_off_air_has_no_playlist_and_an_ended_one_shows_its_ready_vod(api):
    scheduled = StreamFactory(scheduled_start=in_an_hour())
    ended = EndedStreamFactory(record=True)
    ended.thumbnail.save("thumb.jpg", ContentFile(b"jpeg"), save=True)
    recording = Recording.objects.create(
        stream=ended, status=Recording.Status.READY, duration_seconds=321
    )
    recording.file.save("vod.mp4", ContentFile(b"mp4"), save=True)

    assert (
        api.get(reverse("api-v1:stream-detail", args=[scheduled.pk])).json()["playlist_url"] is None
    )
    body = api.get(reverse("api-v1:stream-detail", args=[ended.pk])).json()
    assert body["playlist_url"] is None
    assert body["vod"]["duration_seconds"] == 321
    assert body["vod"]["url"].startswith("http://testserver/")
    assert body["vod"]["url"].endswith(".mp4")
    assert body["thumbnail_url"].startswith("http://testserver/")


def test_a_recording_still_processing_is_not_offered_as_a_vod(api):
    ended = EndedStreamFactory(record=True)
    Recording.objects.create(stream=ended, status=Recording.Status.PROCESSING)
    assert api.get(reverse("api-v1:stream-detail", args=[ended.pk])).json()["vod"] is None


def test_an_unknown_stream_is_a_404_with_the_error_shape(api):
    response = api.get(reverse("api-v1:stream-detail", args=[999999]))
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == "not_found"


def test_categories_are_listed_with_slug_name_and_icon(api):
    response = api.get(reverse("api-v1:stream-categories"))
    assert response.status_code == 200
    categories = response.json()
    assert {"slug": "music", "name": "Music", "icon": "🎵"} in categories
    assert all(set(item) == {"slug", "name", "icon"} for item in categories)


# --- Creating, editing, ending ---------------------------------------------------------


def test_a_signed_in_user_creates_a_stream_to_go_live_now(api, user):
    api.force_authenticate(user)
    response = api.post(
        reverse("api-v1:stream-list"),
        {"title": "  Morning ragas ", "category": "music", "language": "hi", "tags": ["#Sitar"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == PUBLIC_STREAM_FIELDS
    assert (body["title"], body["status"], body["language"]) == ("Morning ragas", "scheduled", "hi")
    assert body["tags"] == ["sitar"]
    assert body["host"]["username"] == user.username
    stream = Stream.objects.get(pk=body["id"])
    assert stream.host == user
    assert stream.scheduled_start is None
    user.refresh_from_db()
    assert user.is_creator


def test_a_stream_is_scheduled_with_a_future_start(api, user):
    api.force_authenticate(user)
    start = in_an_hour(3)
    response = api.post(
        reverse("api-v1:stream-list"),
        {"title": "Diwali special", "scheduled_start": start.isoformat(), "record": True},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert parse_datetime(body["scheduled_start"]) == start
    assert body["record"] is True
    assert list_ids(api, status="scheduled") == [body["id"]]


def test_a_title_longer_than_140_characters_is_a_400_field_error(api, user):
    api.force_authenticate(user)
    response = api.post(
        reverse("api-v1:stream-list"), {"title": "x" * (TITLE_MAX_LENGTH + 1)}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["extra"]["fields"]) == {"title"}
    assert not Stream.objects.exists()


def test_an_unknown_category_is_a_400_field_error(api, user):
    api.force_authenticate(user)
    response = api.post(
        reverse("api-v1:stream-list"), {"title": "Hi", "category": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "category" in response.json()["extra"]["fields"]


def test_scheduling_in_the_past_is_a_400(api, user):
    api.force_authenticate(user)
    response = api.post(
        reverse("api-v1:stream-list"),
        {
            "title": "Too late",
            "scheduled_start": (timezone.now() - timedelta(minutes=5)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "schedule_in_past"
    assert not Stream.objects.exists()


def test_the_sixth_stream_in_a_day_hits_the_daily_limit(api, user, settings):
    settings.STREAMS_MAX_NEW_PER_DAY = 5
    for _ in range(5):
        EndedStreamFactory(host=user)
    api.force_authenticate(user)
    response = api.post(reverse("api-v1:stream-list"), {"title": "One more"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "daily_stream_limit"
    assert body["extra"] == {"limit": 5}
    assert Stream.objects.filter(host=user).count() == 5


def test_creating_a_stream_needs_sign_in(api):
    response = api.post(reverse("api-v1:stream-list"), {"title": "Anon"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_host_edits_their_stream(api):
    stream = StreamFactory(scheduled_start=in_an_hour())
    api.force_authenticate(stream.host)
    response = api.patch(
        reverse("api-v1:stream-detail", args=[stream.pk]),
        {"title": "Renamed", "category": "gaming", "tags": ["speedrun"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["category"]["slug"], body["tags"]) == (
        "Renamed",
        "gaming",
        ["speedrun"],
    )
    stream.refresh_from_db()
    assert stream.title == "Renamed"


def test_only_the_host_may_edit_a_stream(api, user):
    stream = StreamFactory(title="Kept")
    api.force_authenticate(user)
    response = api.patch(
        reverse("api-v1:stream-detail", args=[stream.pk]), {"title": "Hijacked"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_stream_host"
    stream.refresh_from_db()
    assert stream.title == "Kept"


def test_editing_needs_sign_in(api):
    stream = StreamFactory()
    response = api.patch(
        reverse("api-v1:stream-detail", args=[stream.pk]), {"title": "x"}, format="json"
    )
    assert response.status_code == 401


def test_an_ended_stream_cannot_be_edited(api):
    stream = EndedStreamFactory()
    api.force_authenticate(stream.host)
    response = api.patch(
        reverse("api-v1:stream-detail", args=[stream.pk]), {"title": "Late"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "stream_ended"


def test_the_host_ends_their_live_stream(api):
    stream = LiveStreamFactory()
    api.force_authenticate(stream.host)
    response = api.post(reverse("api-v1:stream-end", args=[stream.pk]))
    assert response.status_code == 200
    assert response.json()["status"] == "ended"
    assert response.json()["playlist_url"] is None
    stream.refresh_from_db()
    assert (stream.status, stream.end_reason) == (Stream.Status.ENDED, Stream.EndReason.HOST)


def test_only_the_host_may_end_a_stream(api, user):
    stream = LiveStreamFactory()
    api.force_authenticate(user)
    response = api.post(reverse("api-v1:stream-end", args=[stream.pk]))
    assert response.status_code == 403
    assert response.json()["code"] == "not_stream_host"
    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE
    api.force_authenticate(None)
    assert api.post(reverse("api-v1:stream-end", args=[stream.pk])).status_code == 401


# --- Stream keys -----------------------------------------------------------------------


def test_the_stream_key_is_revealed_to_its_owner_only(api, creator, settings):
    settings.RTMP_INGEST_URL = "rtmp://live.example.com/live"
    api.force_authenticate(creator)
    response = api.get(reverse("api-v1:stream-key"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert set(body) == {"key", "rtmp_url", "rotated_at", "disabled"}
    assert body["rtmp_url"] == "rtmp://live.example.com/live"
    assert body["rotated_at"] is None
    assert body["disabled"] is False
    assert find_publishable_key(secret=body["key"]).creator == creator
    # Asking again reveals the same key.
    assert api.get(reverse("api-v1:stream-key")).json()["key"] == body["key"]


def test_the_stream_key_never_reaches_anyone_else(api, creator, user):
    stream = LiveStreamFactory(host=creator)
    api.force_authenticate(creator)
    secret = api.get(reverse("api-v1:stream-key")).json()["key"]
    key_hash = StreamKey.objects.get(creator=creator).key_hash
    stream.ingest_key_hash = key_hash
    stream.publisher_token = "browser-publisher-token"
    stream.save()

    api.force_authenticate(user)
    other = api.get(reverse("api-v1:stream-key")).json()["key"]
    assert other != secret
    assert find_publishable_key(secret=other).creator == user

    for client_user in (None, user, creator):
        api.force_authenticate(client_user)
        for url in (
            reverse("api-v1:stream-list"),
            reverse("api-v1:stream-detail", args=[stream.pk]),
        ):
            text = api.get(url).content.decode()
            assert str(stream.pk) in text
            for secret_material in (secret, key_hash, "browser-publisher-token"):
                assert secret_material not in text


def test_stream_key_endpoints_need_sign_in(api):
    assert api.get(reverse("api-v1:stream-key")).status_code == 401
    response = api.post(reverse("api-v1:stream-key-rotate"))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_rotating_the_key_replaces_it_and_the_old_one_stops_working(api, creator):
    api.force_authenticate(creator)
    old = api.get(reverse("api-v1:stream-key")).json()["key"]

    response = api.post(reverse("api-v1:stream-key-rotate"))
    assert response.status_code == 200
    body = response.json()
    assert body["key"] != old
    assert body["rotated_at"] is not None
    with pytest.raises(PublishRefused):
        find_publishable_key(secret=old)
    assert find_publishable_key(secret=body["key"]).creator == creator
    assert api.get(reverse("api-v1:stream-key")).json()["key"] == body["key"]


# --- Agora RTC tokens ------------------------------------------------------------------


def test_rtc_tokens_are_refused_when_agora_is_not_the_provider(api, user):
    stream = LiveStreamFactory()
    api.force_authenticate(user)
    response = api.get(reverse("api-v1:stream-rtc-token", args=[stream.pk]))
    assert response.status_code == 404
    assert response.json()["code"] == "provider_disabled"


def test_rtc_tokens_without_agora_credentials_say_so(api, user, settings):
    settings.VIDEO_PROVIDER = "agora"
    settings.AGORA_APP_ID = ""
    settings.AGORA_APP_CERTIFICATE = ""
    stream = LiveStreamFactory()
    api.force_authenticate(user)
    response = api.get(reverse("api-v1:stream-rtc-token", args=[stream.pk]))
    assert response.status_code == 503
    assert response.json()["code"] == "provider_not_configured"


def test_the_host_gets_a_publisher_token_for_their_stream_channel(api, agora):
    stream = LiveStreamFactory()
    api.force_authenticate(stream.host)
    response = api.get(reverse("api-v1:stream-rtc-token", args=[stream.pk]))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert "no-store" in response["Cache-Control"]
    assert (body["app_id"], body["channel"], body["uid"], body["role"]) == (
        AGORA_TEST_APP_ID,
        stream.public_id,
        stream.host.pk,
        "publisher",
    )
    token = decode_rtc_token(body["token"], app_certificate=AGORA_TEST_APP_CERTIFICATE)
    assert token.channel_name == stream.public_id
    assert token.uid == stream.host.pk
    assert set(token.privileges) == {
        RtcPrivilege.JOIN_CHANNEL,
        RtcPrivilege.PUBLISH_AUDIO_STREAM,
        RtcPrivilege.PUBLISH_VIDEO_STREAM,
        RtcPrivilege.PUBLISH_DATA_STREAM,
    }
    assert token.expire_seconds == agora.AGORA_TOKEN_LIFETIME_SECONDS
    expires_at = parse_datetime(body["expires_at"])
    assert expires_at.timestamp() == token.issued_at + agora.AGORA_TOKEN_LIFETIME_SECONDS


def test_the_host_may_join_before_going_live(api, agora):
    stream = StreamFactory()
    api.force_authenticate(stream.host)
    response = api.get(reverse("api-v1:stream-rtc-token", args=[stream.pk]))
    assert response.status_code == 200
    assert response.json()["role"] == "publisher"


def test_a_viewer_gets_a_join_only_token(api, agora, user):
    stream = LiveStreamFactory(status=Stream.Status.INTERRUPTED)
    api.force_authenticate(user)
    body = api.get(reverse("api-v1:stream-rtc-token", args=[stream.pk])).json()
    assert (body["role"], body["uid"]) == ("subscriber", user.pk)
    token = decode_rtc_token(body["token"], app_certificate=AGORA_TEST_APP_CERTIFICATE)
    assert set(token.privileges) == {RtcPrivilege.JOIN_CHANNEL}
    assert token.uid == user.pk


@pytest.mark.parametrize("factory", [EndedStreamFactory, StreamFactory])
def test_viewers_get_no_token_for_a_stream_off_air(api, agora, user, factory):
    stream = factory()
    api.force_authenticate(user)
    response = api.get(reverse("api-v1:stream-rtc-token", args=[stream.pk]))
    assert response.status_code == 400
    assert response.json()["code"] == "stream_not_live"


def test_the_host_gets_no_token_for_an_ended_stream(api, agora):
    stream = EndedStreamFactory()
    api.force_authenticate(stream.host)
    response = api.get(reverse("api-v1:stream-rtc-token", args=[stream.pk]))
    assert response.status_code == 400
    assert response.json()["code"] == "stream_not_live"


def test_rtc_tokens_need_sign_in_and_a_real_stream(api, agora, user):
    stream = LiveStreamFactory()
    assert api.get(reverse("api-v1:stream-rtc-token", args=[stream.pk])).status_code == 401
    api.force_authenticate(user)
    response = api.get(reverse("api-v1:stream-rtc-token", args=[999999]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
