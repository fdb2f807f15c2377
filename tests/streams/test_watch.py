"""The stream page: its states, the viewer heartbeat, leaving, and the host's VOD."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from streams.models import Recording, Stream, StreamReminder, ViewerSession
from streams.services.presence import leave_room
from tests.factories import FollowFactory, UserFactory
from tests.streams.factories import (
    EndedStreamFactory,
    LiveStreamFactory,
    StreamFactory,
    ViewerSessionFactory,
)
from tests.streams.room_factories import RoomPresenceFactory

pytestmark = pytest.mark.django_db

MP4_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def watch_page(client, stream) -> str:
    response = client.get(stream.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def add_recording(stream, *, status=Recording.Status.READY, duration_seconds=3723) -> Recording:
    recording = Recording.objects.create(
        stream=stream, status=status, duration_seconds=duration_seconds
    )
    if status == Recording.Status.READY:
        recording.file.save("vod.mp4", SimpleUploadedFile("vod.mp4", MP4_BYTES, "video/mp4"))
    return recording


def heartbeat(client, stream) -> dict:
    response = client.post(reverse("streams:heartbeat", args=[stream.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


# --- States -------------------------------------------------------------------------


def test_a_live_stream_page_has_the_player_and_what_it_needs(client):
    stream = LiveStreamFactory(
        title="Sitar practice",
        description="Raag Yaman tonight.",
        tags=["classical", "sitar"],
        language="ne",
        current_viewers=42,
    )
    page = watch_page(client, stream)
    assert "<video" in page and "data-live-player" in page
    assert f'data-playlist-url="{stream.playlist_url}"' in page
    assert f'data-heartbeat-url="{reverse("streams:heartbeat", args=[stream.pk])}"' in page
    assert f'data-leave-url="{reverse("streams:leave", args=[stream.pk])}"' in page
    assert 'data-heartbeat-seconds="15"' in page
    assert "/static/vendor/hls/hls.min.js" in page and "/static/streams/js/player.js" in page
    assert "LIVE" in page and "data-viewer-count>42<" in page
    assert "Sitar practice" in page and "Raag Yaman tonight." in page
    assert "#classical" in page and "#sitar" in page and "नेपाली" in page
    assert reverse("streams:category", args=["music"]) in page
    assert f'value="http://testserver{stream.get_absolute_url()}"' in page
    assert "Copy link" in page
    assert "Chat opens when the live room arrives." in page


def test_the_stream_page_has_no_inline_script_and_a_strict_policy(client):
    response = client.get(LiveStreamFactory().get_absolute_url())
    assert "<script>" not in response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_host_card_has_the_follow_button(client, user):
    stream = LiveStreamFactory()
    FollowFactory(follower=user, followee=stream.host)
    client.force_login(user)
    page = watch_page(client, stream)
    assert reverse("users:follow", args=[stream.host.username]) in page
    assert 'value="unfollow"' in page


def test_visitors_are_asked_to_sign_in_to_follow(client):
    page = watch_page(client, LiveStreamFactory())
    assert "Sign in to follow" in page


def test_an_interrupted_stream_shows_reconnecting_while_the_player_retries(client):
    stream = LiveStreamFactory(status=Stream.Status.INTERRUPTED, interrupted_at=timezone.now())
    page = watch_page(client, stream)
    assert "data-live-player" in page
    assert 'data-status="interrupted"' in page
    overlay = page.split("watch__overlay--reconnecting")[1].split(">")[0]
    assert "hidden" not in overlay
    assert "Reconnecting…" in page


def test_a_scheduled_stream_shows_its_start_and_remind_me(client, user):
    start = timezone.now() + timedelta(hours=5)
    stream = StreamFactory(title="Friday session", scheduled_start=start)
    client.force_login(user)
    page = watch_page(client, stream)
    assert "data-live-player" not in page
    assert "This stream starts" in page
    assert f'datetime="{timezone.localtime(start).isoformat()}"' in page
    assert "data-countdown" in page
    assert "Remind me" in page


def test_a_scheduled_stream_shows_a_reminder_already_set(client, user):
    stream = StreamFactory(scheduled_start=timezone.now() + timedelta(hours=5))
    StreamReminder.objects.create(user=user, stream=stream)
    client.force_login(user)
    assert "Reminder set" in watch_page(client, stream)


def test_a_stream_about_to_start_says_so(client):
    page = watch_page(client, StreamFactory(scheduled_start=None))
    assert "Starting soon" in page


def test_an_ended_stream_shows_its_summary(client):
    started = timezone.now() - timedelta(hours=2)
    stream = EndedStreamFactory(started_at=started, ended_at=started + timedelta(hours=2))
    Stream.objects.filter(pk=stream.pk).update(peak_viewers=1234)
    page = watch_page(client, stream)
    assert "This stream has ended" in page
    assert "2\xa0hours" in page
    assert "Peak viewers" in page and "1,234" in page
    assert "data-live-player" not in page
    assert "/static/vendor/hls/hls.min.js" not in page


def test_an_ended_stream_with_a_ready_video_has_a_vod_player(client):
    stream = EndedStreamFactory()
    recording = add_recording(stream)
    page = watch_page(client, stream)
    assert "This stream has ended" in page
    assert f'controls preload="metadata" src="{recording.file.url}"' in page
    assert "1:02:03" in page


def test_an_ended_stream_whose_video_is_processing_says_it_is_being_prepared(client):
    stream = EndedStreamFactory()
    add_recording(stream, status=Recording.Status.PROCESSING)
    page = watch_page(client, stream)
    assert "The video is being prepared" in page
    assert "<video" not in page


def test_an_unknown_stream_is_404_for_get_and_head(client):
    assert client.get(reverse("streams:watch", args=[999999])).status_code == 404
    assert client.head(reverse("streams:watch", args=[999999])).status_code == 404


# --- Heartbeat and leaving ----------------------------------------------------------


def test_a_signed_in_viewers_heartbeat_counts_them(client, user):
    stream = LiveStreamFactory()
    RoomPresenceFactory(stream=stream, user=user)  # the page's room socket
    client.force_login(user)
    assert heartbeat(client, stream) == {"status": "live", "viewers": 1, "peak_viewers": 1}
    assert heartbeat(client, stream)["viewers"] == 1  # the same viewer again
    assert ViewerSession.objects.get(stream=stream).viewer == user


def test_a_visitors_heartbeat_counts_them_by_their_browser_session(client):
    # Watching now = open room sockets; the heartbeats keep one session per browser.
    stream = LiveStreamFactory()
    someone = ViewerSessionFactory(stream=stream).viewer
    RoomPresenceFactory(stream=stream, user=someone)
    RoomPresenceFactory(stream=stream, user=None)  # this visitor's page
    assert heartbeat(client, stream)["viewers"] == 2
    assert heartbeat(client, stream)["viewers"] == 2
    other_browser = Client()
    RoomPresenceFactory(stream=stream, user=None)  # the other browser's page
    assert heartbeat(other_browser, stream) == {
        "status": "live",
        "viewers": 3,
        "peak_viewers": 3,
    }
    visitor_sessions = ViewerSession.objects.filter(stream=stream, viewer__isnull=True)
    assert visitor_sessions.count() == 2
    assert all(len(session.anonymous_key) == 64 for session in visitor_sessions)


def test_the_hosts_own_heartbeat_is_not_counted(client):
    stream = LiveStreamFactory()
    client.force_login(stream.host)
    assert heartbeat(client, stream)["viewers"] == 0
    assert not ViewerSession.objects.exists()


def test_an_ended_streams_heartbeat_says_ended(client, user):
    stream = EndedStreamFactory()
    client.force_login(user)
    assert heartbeat(client, stream)["status"] == "ended"
    assert not ViewerSession.objects.exists()


def test_a_scheduled_streams_heartbeat_says_scheduled_so_the_page_waits(client):
    stream = StreamFactory()
    assert heartbeat(client, stream) == {"status": "scheduled", "viewers": 0, "peak_viewers": 0}


def test_the_heartbeat_needs_post_and_a_known_stream(client):
    stream = LiveStreamFactory()
    assert client.get(reverse("streams:heartbeat", args=[stream.pk])).status_code == 405
    assert client.post(reverse("streams:heartbeat", args=[999999])).status_code == 404


def test_the_heartbeat_is_protected_against_cross_site_requests(user):
    stream = LiveStreamFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.post(reverse("streams:heartbeat", args=[stream.pk])).status_code == 403
    browser.get(stream.get_absolute_url())
    token = browser.cookies["csrftoken"].value
    response = browser.post(reverse("streams:heartbeat", args=[stream.pk]), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_leaving_closes_the_session(client, user):
    stream = LiveStreamFactory()
    socket = RoomPresenceFactory(stream=stream, user=user)
    client.force_login(user)
    heartbeat(client, stream)
    response = client.post(reverse("streams:leave", args=[stream.pk]))
    leave_room(channel_name=socket.channel_name)  # the page's socket closes with it
    assert response.status_code == 204
    assert ViewerSession.objects.get(stream=stream, viewer=user).left_at is not None
    RoomPresenceFactory(stream=stream, user=None)  # a newcomer's page
    assert heartbeat(Client(), stream)["viewers"] == 1  # only the newcomer


def test_a_visitor_leaving_closes_their_session(client):
    stream = LiveStreamFactory()
    heartbeat(client, stream)
    client.post(reverse("streams:leave", args=[stream.pk]))
    assert ViewerSession.objects.get(stream=stream).left_at is not None


# --- Deleting the video -------------------------------------------------------------


def test_the_host_sees_delete_video_and_deleting_removes_the_file(client):
    stream = EndedStreamFactory()
    recording = add_recording(stream)
    path = Path(recording.file.path)
    assert path.exists()
    client.force_login(stream.host)
    assert "Delete video" in watch_page(client, stream)

    response = client.post(reverse("streams:delete-video", args=[stream.pk]), follow=True)
    assert response.redirect_chain[-1][0] == stream.get_absolute_url()
    assert "The video is deleted." in response.content.decode()
    assert not path.exists()
    assert not Recording.objects.filter(stream=stream).exists()


def test_others_cannot_delete_the_video(client, user):
    stream = EndedStreamFactory()
    recording = add_recording(stream)
    client.force_login(user)
    assert "Delete video" not in watch_page(client, stream)

    response = client.post(reverse("streams:delete-video", args=[stream.pk]))
    assert response.status_code == 403
    assert "Only the host can delete this video." in response.content.decode()
    assert Path(recording.file.path).exists()
    assert Recording.objects.filter(stream=stream).exists()


def test_visitors_are_sent_to_sign_in_to_delete_a_video(client):
    stream = EndedStreamFactory()
    add_recording(stream)
    response = client.post(reverse("streams:delete-video", args=[stream.pk]))
    assert response.status_code == 302
    assert Recording.objects.filter(stream=stream).exists()


# --- Query counts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_stream",
    [
        LiveStreamFactory,
        lambda: StreamFactory(scheduled_start=timezone.now() + timedelta(hours=2)),
        EndedStreamFactory,
    ],
    ids=["live", "scheduled", "ended"],
)
def test_the_stream_page_uses_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, make_stream
):
    stream = make_stream()
    if stream.is_active:
        ViewerSessionFactory.create_batch(20, stream=stream)
    client.force_login(UserFactory())
    # session + user + stream (host, category, recording) + follow state
    # + reminder (scheduled only) + unread notifications + top gifters + the host's
    # subscription offer (and the viewer's subscription when there is one); live
    # only: the gift catalog and the viewer's coins; the privacy notices (consent
    # choice, scheduled deletion).
    with django_assert_max_num_queries(12):
        watch_page(client, stream)
