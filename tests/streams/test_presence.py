"""Who is in a live room: one presence row per open socket, counted once per person,
stale rows ignored and swept, the peak kept on the stream, followers told."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from streams import events
from streams.models import RoomPresence, Stream
from streams.selectors.room import (
    count_room_viewers,
    get_room_viewer_list,
    list_room_viewers,
)
from streams.services.lifecycle import end_stream
from streams.services.presence import (
    join_room,
    leave_room,
    presence_count_frame,
    record_room_viewers,
    sweep_stale_presences,
    touch_presences,
)
from streams.services.viewers import (
    anonymous_viewer_key,
    record_viewer_heartbeat,
    refresh_viewer_counts,
)
from tests.factories import FollowFactory, UserFactory
from tests.streams.room_factories import (
    ChannelModeratorFactory,
    RoomPresenceFactory,
    refused,
)

pytestmark = pytest.mark.django_db


def count(stream) -> int:
    return count_room_viewers(stream_id=stream.pk, host_id=stream.host_id)


def a_while_ago(settings, extra_seconds=1):
    return timezone.now() - timedelta(
        seconds=settings.ROOM_PRESENCE_TIMEOUT_SECONDS + extra_seconds
    )


# --- Joining and leaving ---------------------------------------------------------------


def test_joining_opens_one_row_per_socket(stream):
    viewer = UserFactory()

    join_room(stream=stream, channel_name="socket-a", user=viewer)
    join_room(stream=stream, channel_name="socket-a", user=viewer)  # a repeat
    join_room(stream=stream, channel_name="socket-b", user=viewer)
    join_room(stream=stream, channel_name="socket-c", user=AnonymousUser())

    assert RoomPresence.objects.filter(stream=stream).count() == 3
    assert RoomPresence.objects.get(channel_name="socket-c").user is None


def test_leaving_closes_the_socket_row(stream):
    join_room(stream=stream, channel_name="socket-a", user=UserFactory())

    change = leave_room(channel_name="socket-a")

    assert change.stream_id == stream.pk
    assert not RoomPresence.objects.exists()
    assert leave_room(channel_name="socket-a") is None


# --- Counting --------------------------------------------------------------------------


def test_a_signed_in_viewer_counts_once_however_many_tabs(stream):
    viewer = UserFactory()
    RoomPresenceFactory.create_batch(3, stream=stream, user=viewer)

    assert count(stream) == 1


def test_every_anonymous_socket_counts(stream):
    RoomPresenceFactory.create_batch(3, stream=stream, user=None)
    RoomPresenceFactory(stream=stream)

    assert count(stream) == 4


def test_the_host_is_not_counted(stream):
    RoomPresenceFactory.create_batch(2, stream=stream, user=stream.host)
    RoomPresenceFactory(stream=stream)

    assert count(stream) == 1


def test_other_rooms_do_not_count(stream):
    RoomPresenceFactory(stream=stream)
    RoomPresenceFactory()

    assert count(stream) == 1


def test_a_socket_whose_server_stopped_checking_in_is_ignored_then_swept(stream, settings):
    fresh = RoomPresenceFactory(stream=stream)
    RoomPresenceFactory(stream=stream, last_seen_at=a_while_ago(settings))
    RoomPresenceFactory(stream=stream, user=None, last_seen_at=a_while_ago(settings))

    assert count(stream) == 1

    assert sweep_stale_presences() == 2
    assert list(RoomPresence.objects.all()) == [fresh]


def test_touching_keeps_a_server_s_sockets_counted(stream, settings):
    kept = RoomPresenceFactory(stream=stream, last_seen_at=a_while_ago(settings, -5))
    forgotten = RoomPresenceFactory(stream=stream, last_seen_at=a_while_ago(settings, -5))

    assert touch_presences(channel_names=[kept.channel_name, "gone"]) == 1
    assert touch_presences(channel_names=[]) == 0

    kept.refresh_from_db()
    forgotten.refresh_from_db()
    assert kept.last_seen_at > forgotten.last_seen_at
    assert timezone.now() - kept.last_seen_at < timedelta(seconds=5)


# --- Counts and peak on the stream -----------------------------------------------------


def test_the_room_count_and_its_peak_are_kept_on_the_stream(stream):
    sockets = RoomPresenceFactory.create_batch(3, stream=stream)
    RoomPresenceFactory(stream=stream, user=None)

    assert record_room_viewers(stream_id=stream.pk) == (4, 4)

    for socket in sockets:
        leave_room(channel_name=socket.channel_name)

    assert record_room_viewers(stream_id=stream.pk) == (1, 4)
    stream.refresh_from_db()
    assert (stream.current_viewers, stream.peak_viewers) == (1, 4)
    assert presence_count_frame(count=1, peak=4) == events.build_frame(
        "presence.count", count=1, peak=4
    )


def test_a_room_whose_stream_is_not_on_air_counts_nobody(stream):
    RoomPresenceFactory(stream=stream)
    end_stream(stream=stream, reason=Stream.EndReason.HOST)

    assert record_room_viewers(stream_id=stream.pk) == (0, 0)
    assert record_room_viewers(stream_id=999999) == (0, 0)


def test_current_viewers_come_from_room_sockets_and_unique_viewers_from_heartbeats(stream):
    alice, bob = UserFactory(), UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=alice)
    record_viewer_heartbeat(stream=stream, viewer=bob)
    record_viewer_heartbeat(stream=stream, anonymous_key=anonymous_viewer_key("visitor"))
    RoomPresenceFactory.create_batch(2, stream=stream, user=alice)  # two tabs
    RoomPresenceFactory(stream=stream, user=None)

    counted = refresh_viewer_counts(stream=stream)

    assert (counted.current_viewers, counted.peak_viewers, counted.unique_viewers) == (2, 2, 3)


# --- Who is here, and telling followers ------------------------------------------------


def test_the_host_and_moderators_see_who_is_here(stream):
    people = [UserFactory(username=name) for name in ("zeca", "ana")]
    for person in people:
        RoomPresenceFactory(stream=stream, user=person)
    RoomPresenceFactory(stream=stream, user=people[0])
    RoomPresenceFactory(stream=stream, user=None)
    RoomPresenceFactory(stream=stream, user=stream.host)
    moderator = ChannelModeratorFactory(channel=stream.host).moderator

    for actor in (stream.host, moderator):
        listed = get_room_viewer_list(user=actor, stream=stream)
        assert listed == {
            "count": 3,
            "anonymous": 1,
            "viewers": [events.user_payload(people[1]), events.user_payload(people[0])],
        }
    with refused("forbidden"):
        get_room_viewer_list(user=UserFactory(), stream=stream)


def test_the_viewer_list_stops_at_its_limit(stream):
    RoomPresenceFactory.create_batch(3, stream=stream)

    listed = list_room_viewers(stream=stream, limit=2)

    assert listed["count"] == 3 and len(listed["viewers"]) == 2


def test_followers_in_the_room_hear_when_someone_they_follow_comes_and_goes(
    stream, broadcasts, django_capture_on_commit_callbacks
):
    singer = UserFactory()
    fan, stranger = UserFactory(), UserFactory()
    FollowFactory(follower=fan, followee=singer)
    FollowFactory(follower=UserFactory(), followee=singer)  # a follower who is not here
    join_room(stream=stream, channel_name="fan", user=fan)
    join_room(stream=stream, channel_name="stranger", user=stranger)

    with django_capture_on_commit_callbacks(execute=True):
        change = join_room(stream=stream, channel_name="singer-tab-1", user=singer)

    assert change.announce_to == [fan.pk]
    assert broadcasts.sent == [
        (
            events.user_group(stream.pk, fan.pk),
            events.build_frame("presence.joined", user=events.user_payload(singer)),
        )
    ]

    broadcasts.clear()
    with django_capture_on_commit_callbacks(execute=True):
        join_room(stream=stream, channel_name="singer-tab-2", user=singer)  # another tab
        leave_room(channel_name="singer-tab-1")  # one tab of two
    assert broadcasts.sent == []

    with django_capture_on_commit_callbacks(execute=True):
        leave_room(channel_name="singer-tab-2")  # the last one
    assert broadcasts.sent == [
        (
            events.user_group(stream.pk, fan.pk),
            events.build_frame("presence.left", user=events.user_payload(singer)),
        )
    ]


def test_nobody_is_told_about_the_host_or_visitors(stream, broadcasts):
    fan = UserFactory()
    FollowFactory(follower=fan, followee=stream.host)
    join_room(stream=stream, channel_name="fan", user=fan)

    assert join_room(stream=stream, channel_name="host", user=stream.host).announce_to == []
    assert join_room(stream=stream, channel_name="visitor", user=None).announce_to == []
    assert broadcasts.sent == []
