"""The Go Live studio: stream details, OBS key panel, scheduling, stopping."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from streams.exceptions import PublishRefused
from streams.models import Stream
from streams.services import keys
from streams.services.publishing import accept_rtmp_publish
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory, StreamFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, creator):
    client.force_login(creator)
    return client


def secret_of(user) -> str:
    return keys.reveal_stream_key(key=keys.get_or_create_stream_key(creator=user))


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("streams:studio"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_studio_shows_the_owner_their_key_and_server(signed_in, creator, settings):
    page = signed_in.get(reverse("streams:studio")).content.decode()
    assert secret_of(creator) in page
    assert settings.RTMP_INGEST_URL in page
    assert "Start streaming" in page


def test_another_creator_sees_only_their_own_key(client, creator):
    creator_secret = secret_of(creator)
    other = UserFactory()
    client.force_login(other)
    page = client.get(reverse("streams:studio")).content.decode()
    assert creator_secret not in page
    assert secret_of(other) in page


def test_saving_details_for_the_camera_returns_the_socket_to_publish_on(signed_in, creator):
    response = signed_in.post(
        reverse("streams:studio-prepare"),
        {"title": "Morning ragas", "category": category("music").pk, "language": "ne"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    stream = Stream.objects.get(pk=body["stream_id"])
    assert (stream.title, stream.language, stream.status) == ("Morning ragas", "ne", "scheduled")
    assert body["publish_path"] == f"/ws/streams/{stream.pk}/publish/"

    again = signed_in.post(
        reverse("streams:studio-prepare"), {"title": "Evening ragas", "language": "ne"}
    )
    assert again.json()["stream_id"] == stream.pk
    stream.refresh_from_db()
    assert stream.title == "Evening ragas"
    assert Stream.objects.filter(host=creator).count() == 1


def test_a_bad_title_comes_back_as_a_field_error(signed_in, creator):
    response = signed_in.post(
        reverse("streams:studio-prepare"), {"title": "x" * 141, "language": "en"}
    )
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    assert not Stream.objects.filter(host=creator).exists()


def test_the_daily_limit_is_explained(signed_in, creator, settings):
    settings.STREAMS_MAX_NEW_PER_DAY = 1
    StreamFactory(host=creator, status=Stream.Status.ENDED)
    response = signed_in.post(
        reverse("streams:studio-prepare"), {"title": "One more", "language": "en"}
    )
    assert response.status_code == 400
    assert "at most 1 new streams a day" in response.json()["errors"]["__all__"][0]


def test_details_saved_for_obs_are_used_when_the_encoder_connects(signed_in, creator):
    response = signed_in.post(
        reverse("streams:studio-prepare"),
        {"ingest": "rtmp", "obs-title": "Festa Junina ao vivo", "obs-language": "pt"},
    )
    assert response.status_code == 302
    prepared = Stream.objects.get(host=creator)
    live = accept_rtmp_publish(stream_key=secret_of(creator))
    assert live.pk == prepared.pk
    assert live.status == Stream.Status.LIVE
    assert live.title == "Festa Junina ao vivo"


def test_obs_details_with_errors_rerender_the_studio(signed_in):
    response = signed_in.post(
        reverse("streams:studio-prepare"), {"ingest": "rtmp", "obs-title": "", "obs-language": "en"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_scheduling_lists_the_stream_as_upcoming(signed_in, creator):
    start = timezone.now() + timedelta(days=2)
    response = signed_in.post(
        reverse("streams:studio-schedule"),
        {
            "schedule-title": "Diwali special",
            "schedule-language": "hi",
            "schedule-scheduled_start": start.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    stream = Stream.objects.get(host=creator)
    assert stream.scheduled_start is not None
    assert "Diwali special" in signed_in.get(reverse("streams:studio")).content.decode()


def test_scheduling_in_the_past_shows_a_field_error(signed_in, creator):
    response = signed_in.post(
        reverse("streams:studio-schedule"),
        {
            "schedule-title": "Too late",
            "schedule-language": "en",
            "schedule-scheduled_start": "2020-01-01T10:00",
        },
    )
    assert response.status_code == 400
    assert "Pick a start time in the future." in response.content.decode()
    assert not Stream.objects.filter(host=creator).exists()


def test_the_host_ends_their_stream(signed_in, creator):
    stream = LiveStreamFactory(host=creator)
    response = signed_in.post(
        reverse("streams:studio-stop", args=[stream.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"status": "ended"}
    stream.refresh_from_db()
    assert stream.end_reason == Stream.EndReason.HOST


def test_nobody_else_can_end_it(client):
    stream = LiveStreamFactory()
    client.force_login(UserFactory())
    response = client.post(
        reverse("streams:studio-stop", args=[stream.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE


def test_cancelling_a_scheduled_stream(signed_in, creator):
    stream = StreamFactory(host=creator, scheduled_start=timezone.now() + timedelta(days=1))
    response = signed_in.post(reverse("streams:studio-stop", args=[stream.pk]), follow=True)
    assert "The scheduled stream was cancelled." in response.content.decode()
    stream.refresh_from_db()
    assert stream.end_reason == Stream.EndReason.NEVER_STARTED


def test_rotating_the_key_retires_the_old_one(signed_in, creator):
    old = secret_of(creator)
    response = signed_in.post(reverse("streams:studio-rotate-key"), follow=True)
    new = secret_of(creator)
    assert new != old
    assert new in response.content.decode()
    with pytest.raises(PublishRefused):
        accept_rtmp_publish(stream_key=old)
