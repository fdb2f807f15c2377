"""The room's replayable events: gap-free numbering, the stored log, broadcasts only
after commit, and what the room hears when its stream changes."""

import threading
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.utils import timezone

from streams import events
from streams.exceptions import AlreadyLive
from streams.models import RoomEvent, RoomState, Stream
from streams.selectors.room import get_last_seq
from streams.services.chat import post_chat_message
from streams.services.lifecycle import end_stream, go_live, interrupt_stream, update_stream
from streams.services.room_moderation import set_chat_modes
from streams.tasks import prune_room_events
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory, StreamFactory

pytestmark = pytest.mark.django_db


def stored_types(stream) -> list[str]:
    return list(
        RoomEvent.objects.filter(stream=stream)
        .order_by("seq")
        .values_list("frame__type", flat=True)
    )


def stored_seqs(stream) -> list[int]:
    return list(
        RoomEvent.objects.filter(stream=stream).order_by("seq").values_list("seq", flat=True)
    )


# --- Numbering and the log -------------------------------------------------------------


def test_every_replayable_event_takes_the_next_number_and_is_stored(stream):
    viewer = UserFactory()
    post_chat_message(stream_id=stream.pk, author=viewer, body="olá")
    set_chat_modes(actor=stream.host, stream_id=stream.pk, slow_mode_seconds=5)
    post_chat_message(stream_id=stream.pk, author=stream.host, body="bem-vindos")

    assert stored_seqs(stream) == [1, 2, 3]
    assert stored_types(stream) == ["chat.message", "room.modes", "chat.message"]
    assert get_last_seq(stream_id=stream.pk) == 3
    stored = RoomEvent.objects.get(stream=stream, seq=2).frame
    assert stored["v"] == events.PROTOCOL_VERSION and stored["seq"] == 2 and stored["at"]


def test_each_room_counts_on_its_own(stream):
    other = LiveStreamFactory()
    with transaction.atomic():
        for room in (stream, other, stream):
            events.append_room_event(stream_id=room.pk, event_type=events.CHAT_CLEARED)

    assert stored_seqs(stream) == [1, 2]
    assert stored_seqs(other) == [1]


@pytest.mark.django_db(transaction=True)
def test_numbering_needs_the_callers_transaction():
    stream = LiveStreamFactory()

    with pytest.raises(RuntimeError):
        events.take_next_seq(stream_id=stream.pk)
    with pytest.raises(RuntimeError):
        events.append_room_event(stream_id=stream.pk, event_type=events.CHAT_CLEARED)
    assert not RoomEvent.objects.exists()


def test_a_message_takes_the_same_number_as_its_event(stream):
    message = post_chat_message(stream_id=stream.pk, author=UserFactory(), body="hi").message

    event = RoomEvent.objects.get(stream=stream)
    assert message.seq == event.seq == event.frame["message"]["seq"]


# --- After commit, and never on rollback -----------------------------------------------


def test_the_broadcast_waits_for_the_commit_and_carries_the_stored_frame(
    stream, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            frame = events.append_room_event(
                stream_id=stream.pk, event_type=events.ROOM_NOTICE, code="x", params={}
            )
        assert broadcasts.sent == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert broadcasts.sent == [(events.room_group(stream.pk), frame)]
    assert RoomEvent.objects.get(stream=stream).frame == frame


class SomethingWentWrong(Exception):
    pass


def test_a_rolled_back_change_is_neither_numbered_stored_nor_broadcast(
    stream, broadcasts, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(SomethingWentWrong),
        transaction.atomic(),
    ):
        post_chat_message(stream_id=stream.pk, author=UserFactory(), body="lost")
        raise SomethingWentWrong

    assert callbacks == []
    assert broadcasts.sent == []
    assert not RoomEvent.objects.exists()
    # The number was not used up: the next event takes it.
    assert (
        post_chat_message(stream_id=stream.pk, author=UserFactory(), body="kept").message.seq == 1
    )


def test_a_channel_layer_failure_after_commit_is_logged_not_raised(monkeypatch, caplog):
    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("redis went away")

    monkeypatch.setattr(events, "get_channel_layer", lambda: BrokenLayer())

    events.send_to_group("stream.1", events.build_frame("chat.cleared", seq=1))

    assert "Could not broadcast chat.cleared to stream.1" in caplog.text


def test_a_broadcast_reaches_the_rooms_group_encoded_once(stream):
    group = events.room_group(stream.pk)

    async def listen_while_broadcasting():
        # One event loop throughout: the pub/sub layer keeps its channels per loop.
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        await events.asend_to_group(group, events.build_frame("chat.cleared", seq=7))
        try:
            return await layer.receive(channel)
        finally:
            await layer.group_discard(group, channel)

    received = async_to_sync(listen_while_broadcasting)()
    assert received == {"type": "room.frame", "text": '{"type":"chat.cleared","v":1,"seq":7}'}


def test_the_replay_log_of_a_room_ended_over_a_day_ago_is_pruned(stream):
    long_ago = EndedStreamFactory(ended_at=timezone.now() - timedelta(days=1, minutes=1))
    recently = EndedStreamFactory(ended_at=timezone.now() - timedelta(hours=23))
    with transaction.atomic():
        for room in (stream, long_ago, recently):
            events.append_room_event(stream_id=room.pk, event_type=events.CHAT_CLEARED)

    assert prune_room_events() == 1

    assert set(RoomEvent.objects.values_list("stream_id", flat=True)) == {stream.pk, recently.pk}


# --- The stream's status and title -----------------------------------------------------


def test_going_live_interrupted_resumed_and_ended_are_told_to_the_room(
    broadcasts, django_capture_on_commit_callbacks, settings
):
    stream = StreamFactory()

    with django_capture_on_commit_callbacks(execute=True):
        go_live(stream=stream, ingest=Stream.Ingest.BROWSER, publisher_token="t")
        interrupt_stream(stream=stream)
        go_live(stream=stream, ingest=Stream.Ingest.BROWSER, publisher_token="t2")
        end_stream(stream=stream, reason=Stream.EndReason.HOST)

    room = [
        {key: value for key, value in frame.items() if key not in ("v", "at")}
        for frame in broadcasts.to(events.room_group(stream.pk))
    ]
    assert room == [
        {"type": "stream.status", "seq": 1, "status": "live"},
        {"type": "stream.status", "seq": 2, "status": "interrupted"},
        {
            "type": "room.notice",
            "seq": 3,
            "code": "stream_interrupted",
            "params": {"seconds": settings.STREAM_RESUME_GRACE_SECONDS},
        },
        {"type": "stream.status", "seq": 4, "status": "live"},
        {"type": "room.notice", "seq": 5, "code": "stream_resumed", "params": {}},
        {"type": "stream.status", "seq": 6, "status": "ended"},
        {"type": "room.notice", "seq": 7, "code": "stream_ended", "params": {}},
    ]
    assert stored_seqs(stream) == [1, 2, 3, 4, 5, 6, 7]


def test_changes_that_change_nothing_tell_the_room_nothing(stream):
    go_live(stream=stream, ingest=Stream.Ingest.BROWSER, publisher_token="again")  # live already
    interrupt_stream(stream=StreamFactory())  # not live: nothing to interrupt
    end_stream(stream=stream, reason=Stream.EndReason.HOST)
    end_stream(stream=stream, reason=Stream.EndReason.HOST)  # ended already

    assert stored_types(stream) == ["stream.status", "room.notice"]


def test_a_stream_cancelled_before_it_started_says_ended_without_a_notice():
    stream = StreamFactory()

    end_stream(stream=stream, reason=Stream.EndReason.HOST)

    assert [event.frame["status"] for event in RoomEvent.objects.filter(stream=stream)] == ["ended"]


def test_a_failed_go_live_tells_the_room_nothing(stream, broadcasts):
    second = StreamFactory(host=stream.host)

    with pytest.raises(AlreadyLive):
        go_live(stream=second, ingest=Stream.Ingest.BROWSER, publisher_token="t")

    assert not RoomEvent.objects.filter(stream=second).exists()
    assert not RoomState.objects.filter(stream=second).exists()


def test_a_new_title_is_told_to_the_room(stream, broadcasts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update_stream(stream=stream, title="Saturday fado")
        update_stream(stream=stream, title="Saturday fado")  # unchanged: nothing new
        update_stream(stream=stream, description="Now with guitar")

    room = [
        {key: value for key, value in frame.items() if key not in ("v", "at")}
        for frame in broadcasts.to(events.room_group(stream.pk))
    ]
    assert room == [
        {"type": "stream.updated", "seq": 1, "title": "Saturday fado"},
        {
            "type": "room.notice",
            "seq": 2,
            "code": "title_changed",
            "params": {"title": "Saturday fado"},
        },
    ]


# --- Concurrency (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_chatters_posting_at_once_get_unique_gap_free_numbers():
    # Row locks behave as in production only on PostgreSQL.
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    chatters = 12
    stream = LiveStreamFactory()
    authors = UserFactory.create_batch(chatters)
    barrier = threading.Barrier(chatters)
    seqs, errors = [], []
    lock = threading.Lock()

    def chat(author):
        try:
            barrier.wait(timeout=10)
            posted = post_chat_message(stream_id=stream.pk, author=author, body="at once!")
            with lock:
                seqs.append(posted.message.seq)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=chat, args=(author,)) for author in authors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(seqs) == list(range(1, chatters + 1))
    assert stored_seqs(stream) == list(range(1, chatters + 1))
    assert get_last_seq(stream_id=stream.pk) == chatters
    # Commit order is number order: each stored frame is the message with that number.
    for event in RoomEvent.objects.filter(stream=stream):
        assert event.frame["message"]["seq"] == event.seq
