"""Who is watching: heartbeats, sessions, watch time and the counts on the stream."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from streams.models import Stream, ViewerSession
from streams.services.lifecycle import end_stream
from streams.services.presence import leave_room
from streams.services.viewers import (
    anonymous_viewer_key,
    leave_stream,
    record_viewer_heartbeat,
    refresh_all_live_viewer_counts,
    refresh_viewer_counts,
)
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory, StreamFactory
from tests.streams.room_factories import RoomPresenceFactory

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Freeze django.utils.timezone.now for services and auto_now fields alike."""
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def stream(db):
    return LiveStreamFactory()


def test_each_viewer_has_one_session_however_many_heartbeats(stream):
    viewer = UserFactory()

    first = record_viewer_heartbeat(stream=stream, viewer=viewer)
    second = record_viewer_heartbeat(stream=stream, viewer=viewer)

    assert first.pk == second.pk
    assert ViewerSession.objects.filter(stream=stream).count() == 1


def test_visitors_are_told_apart_by_their_browser_session(stream):
    one = anonymous_viewer_key("browser-session-one")
    other = anonymous_viewer_key("browser-session-two")

    record_viewer_heartbeat(stream=stream, anonymous_key=one)
    record_viewer_heartbeat(stream=stream, anonymous_key=one)
    record_viewer_heartbeat(stream=stream, anonymous_key=other)

    assert one != other and "browser-session-one" not in one
    assert ViewerSession.objects.filter(stream=stream, viewer=None).count() == 2


def test_the_host_watching_themselves_is_not_counted(stream):
    assert record_viewer_heartbeat(stream=stream, viewer=stream.host) is None

    assert not ViewerSession.objects.exists()
    assert refresh_viewer_counts(stream=stream).current_viewers == 0


@pytest.mark.parametrize("factory", [StreamFactory, EndedStreamFactory], ids=["scheduled", "ended"])
def test_streams_that_are_not_on_air_collect_no_viewers(factory):
    assert record_viewer_heartbeat(stream=factory(), viewer=UserFactory()) is None
    assert not ViewerSession.objects.exists()


def test_a_heartbeat_without_anyone_behind_it_is_ignored(stream):
    assert record_viewer_heartbeat(stream=stream) is None


def test_counts_give_current_peak_and_unique_viewers(stream):
    # Watching now = open room sockets (every watch page holds one); the heartbeats
    # give watch time and unique viewers.
    alice, bob = UserFactory(), UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=alice)
    record_viewer_heartbeat(stream=stream, viewer=bob)
    record_viewer_heartbeat(stream=stream, anonymous_key=anonymous_viewer_key("visitor"))
    RoomPresenceFactory(stream=stream, user=alice)
    bobs_socket = RoomPresenceFactory(stream=stream, user=bob)
    RoomPresenceFactory(stream=stream, user=None)

    counted = refresh_viewer_counts(stream=stream)

    assert (counted.current_viewers, counted.peak_viewers, counted.unique_viewers) == (3, 3, 3)

    leave_stream(stream=stream, viewer=bob)
    leave_room(channel_name=bobs_socket.channel_name)
    counted = refresh_viewer_counts(stream=stream)

    assert (counted.current_viewers, counted.peak_viewers, counted.unique_viewers) == (2, 3, 3)
    stream.refresh_from_db()
    assert stream.peak_viewers == 3


def test_viewers_who_stop_sending_heartbeats_time_out(stream, settings, clock):
    quiet = UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=quiet)
    last_seen = clock.now
    clock.advance(seconds=settings.VIEWER_TIMEOUT_SECONDS - 5)
    record_viewer_heartbeat(stream=stream, viewer=UserFactory())

    refresh_viewer_counts(stream=stream)
    assert ViewerSession.objects.get(viewer=quiet).left_at is None

    clock.advance(seconds=10)
    counted = refresh_viewer_counts(stream=stream)

    assert counted.unique_viewers == 2
    assert ViewerSession.objects.get(viewer=quiet).left_at == last_seen
    assert ViewerSession.objects.filter(left_at__isnull=True).count() == 1


def test_watch_time_accumulates_between_heartbeats(stream, settings, clock):
    viewer = UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=viewer)

    for _ in range(4):
        clock.advance(seconds=settings.VIEWER_HEARTBEAT_SECONDS)
        session = record_viewer_heartbeat(stream=stream, viewer=viewer)

    assert session.watch_seconds == 4 * settings.VIEWER_HEARTBEAT_SECONDS


def test_a_long_gap_between_heartbeats_counts_no_more_than_the_timeout(stream, settings, clock):
    viewer = UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=viewer)
    clock.advance(seconds=settings.VIEWER_HEARTBEAT_SECONDS)
    record_viewer_heartbeat(stream=stream, viewer=viewer)

    clock.advance(minutes=10)  # the laptop slept with the tab open
    session = record_viewer_heartbeat(stream=stream, viewer=viewer)

    assert session.watch_seconds == (
        settings.VIEWER_HEARTBEAT_SECONDS + settings.VIEWER_TIMEOUT_SECONDS
    )


def test_leaving_closes_the_session_and_keeps_the_watch_time(stream, clock):
    viewer = UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=viewer)
    clock.advance(seconds=10)

    leave_stream(stream=stream, viewer=viewer)

    session = ViewerSession.objects.get(viewer=viewer)
    assert session.left_at == clock.now
    assert session.watch_seconds == 10
    assert refresh_viewer_counts(stream=stream).current_viewers == 0


def test_a_visitor_can_leave_too(stream):
    visitor = anonymous_viewer_key("visitor")
    record_viewer_heartbeat(stream=stream, anonymous_key=visitor)

    leave_stream(stream=stream, anonymous_key=visitor)

    assert ViewerSession.objects.get(anonymous_key=visitor).left_at is not None


def test_coming_back_later_reopens_the_same_session(stream, settings, clock):
    viewer = UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=viewer)
    clock.advance(seconds=20)
    leave_stream(stream=stream, viewer=viewer)
    clock.advance(minutes=5)

    session = record_viewer_heartbeat(stream=stream, viewer=viewer)

    assert session.left_at is None
    assert session.joined_at == clock.now
    assert session.watch_seconds == 20
    assert ViewerSession.objects.filter(stream=stream).count() == 1


def test_the_end_of_the_stream_closes_every_session(stream, settings, clock):
    record_viewer_heartbeat(stream=stream, viewer=UserFactory())
    record_viewer_heartbeat(stream=stream, anonymous_key=anonymous_viewer_key("visitor"))
    clock.advance(seconds=5)

    end_stream(stream=stream, reason=Stream.EndReason.HOST)

    sessions = ViewerSession.objects.filter(stream=stream)
    assert all(session.left_at == clock.now for session in sessions)
    assert all(session.watch_seconds == 5 for session in sessions)
    stream.refresh_from_db()
    assert stream.current_viewers == 0


def test_every_live_stream_is_recounted(db):
    streams = [LiveStreamFactory(), LiveStreamFactory()]
    for stream in streams:
        viewer = UserFactory()
        record_viewer_heartbeat(stream=stream, viewer=viewer)
        RoomPresenceFactory(stream=stream, user=viewer)
    EndedStreamFactory()

    assert refresh_all_live_viewer_counts() == 2

    for stream in streams:
        stream.refresh_from_db()
        assert stream.current_viewers == 1


def test_a_member_who_watched_streams_can_delete_their_account(stream):
    viewer = UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=viewer)

    with transaction.atomic():
        viewer.delete()

    assert Stream.objects.filter(pk=stream.pk).exists()
    assert not ViewerSession.objects.filter(viewer_id=viewer.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_a_first_heartbeat_at_once_make_one_session():
    # Row locks and concurrent unique checks behave as in production only here.
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    stream = LiveStreamFactory()
    viewer = UserFactory()
    barrier = threading.Barrier(2)
    errors = []

    def heartbeat():
        try:
            barrier.wait(timeout=10)
            record_viewer_heartbeat(stream=stream, viewer=viewer)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=heartbeat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert ViewerSession.objects.filter(stream=stream, viewer=viewer).count() == 1
