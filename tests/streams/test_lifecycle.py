"""A stream's life: created (scheduled) -> live -> interrupted -> live again -> ended."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from halobuzz.notifications.models import Notification
from halobuzz.users.services import follow_user
from streams.exceptions import AlreadyLive, DailyStreamLimitReached, StreamNotEditable
from streams.models import TITLE_MAX_LENGTH, Recording, Stream, ViewerSession
from streams.services.lifecycle import (
    create_stream,
    end_stream,
    expire_interrupted_streams,
    go_live,
    interrupt_stream,
    stop_own_stream,
    update_stream,
)
from streams.services.viewers import record_viewer_heartbeat, refresh_viewer_counts
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.streams.factories import StreamFactory, category
from tests.streams.room_factories import RoomPresenceFactory

pytestmark = pytest.mark.django_db


def live(stream: Stream) -> Stream:
    return go_live(stream=stream, ingest=Stream.Ingest.BROWSER, publisher_token="token")


def other_than_room_broadcasts(callbacks: list) -> list:
    """The on-commit callbacks besides the room's own broadcasts (status changes reach
    the live room too; tests/streams/test_room_events.py covers those)."""
    return [callback for callback in callbacks if callback.__module__ != "streams.events"]


# --- Creating ----------------------------------------------------------------------


def test_a_new_stream_is_scheduled_and_makes_its_host_a_creator(user):
    stream = create_stream(
        host=user, title="  Sunday sitar practice  ", category=category("music"), language="ne"
    )

    stream.refresh_from_db()
    assert stream.status == Stream.Status.SCHEDULED
    assert stream.title == "Sunday sitar practice"
    assert stream.language == "ne"
    assert stream.public_id
    user.refresh_from_db()
    assert user.is_creator


@pytest.mark.parametrize("title", ["", "   "])
def test_a_stream_needs_a_title(creator, title):
    with pytest.raises(StreamNotEditable) as refused:
        create_stream(host=creator, title=title)

    assert refused.value.code == "title_required"
    assert not Stream.objects.exists()


def test_a_title_longer_than_140_characters_is_refused(creator):
    create_stream(host=creator, title="x" * TITLE_MAX_LENGTH)

    with pytest.raises(StreamNotEditable) as refused:
        create_stream(host=creator, title="x" * (TITLE_MAX_LENGTH + 1))

    assert refused.value.code == "title_too_long"
    assert refused.value.extra == {"max_length": TITLE_MAX_LENGTH}
    assert Stream.objects.count() == 1


def test_tags_are_normalised(creator):
    stream = create_stream(host=creator, title="Jam", tags="#Sitar, acoustic  SITAR #Nepal")

    assert stream.tags == ["sitar", "acoustic", "nepal"]
    assert create_stream(host=creator, title="Jam", tags=["#Lofi", " ", "lofi"]).tags == ["lofi"]


def test_more_than_ten_tags_are_refused(creator):
    with pytest.raises(StreamNotEditable) as refused:
        create_stream(host=creator, title="Jam", tags=[f"tag{n}" for n in range(11)])

    assert refused.value.code == "too_many_tags"


def test_a_schedule_in_the_past_is_refused(creator):
    with pytest.raises(StreamNotEditable) as refused:
        create_stream(
            host=creator, title="Jam", scheduled_start=timezone.now() - timedelta(minutes=1)
        )

    assert refused.value.code == "schedule_in_past"


def test_a_schedule_more_than_sixty_days_ahead_is_refused(creator):
    with pytest.raises(StreamNotEditable) as refused:
        create_stream(
            host=creator, title="Jam", scheduled_start=timezone.now() + timedelta(days=61)
        )

    assert refused.value.code == "schedule_too_far"
    in_a_month = timezone.now() + timedelta(days=30)
    assert create_stream(host=creator, title="Jam", scheduled_start=in_a_month).scheduled_start


def test_a_host_can_start_five_streams_a_day_and_not_a_sixth(creator):
    for number in range(5):
        create_stream(host=creator, title=f"Stream {number}")

    with pytest.raises(DailyStreamLimitReached) as refused:
        create_stream(host=creator, title="One too many")

    assert refused.value.code == "daily_stream_limit"
    assert refused.value.extra == {"limit": 5}
    assert Stream.objects.filter(host=creator).count() == 5
    # Other hosts have their own allowance.
    assert create_stream(host=UserFactory(), title="Someone else")


def test_the_daily_limit_follows_the_setting(creator, settings):
    settings.STREAMS_MAX_NEW_PER_DAY = 2
    create_stream(host=creator, title="One")
    create_stream(host=creator, title="Two")

    with pytest.raises(DailyStreamLimitReached) as refused:
        create_stream(host=creator, title="Three")

    assert refused.value.extra == {"limit": 2}


def test_streams_created_more_than_a_day_ago_do_not_count_towards_the_limit(creator, settings):
    settings.STREAMS_MAX_NEW_PER_DAY = 1
    yesterday = create_stream(host=creator, title="Yesterday")
    Stream.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(hours=25))

    assert create_stream(host=creator, title="Today")


# --- Going live --------------------------------------------------------------------


def test_going_live_starts_the_clock_and_notifies_followers_after_commit(
    creator, django_capture_on_commit_callbacks
):
    follower = UserFactory()
    follow_user(follower=follower, followee=creator)
    stream = create_stream(host=creator, title="Momo cooking")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        live_stream = live(stream)

    assert len(other_than_room_broadcasts(callbacks)) == 1
    live_stream.refresh_from_db()
    assert live_stream.status == Stream.Status.LIVE
    assert live_stream.started_at is not None
    assert live_stream.last_ingest_at is not None
    notification = Notification.objects.get(recipient=follower)
    assert notification.kind == Notification.Kind.STREAM_LIVE
    assert notification.body == "Momo cooking"
    assert notification.url == stream.get_absolute_url()


def test_nobody_is_notified_before_the_go_live_commits(creator, django_capture_on_commit_callbacks):
    follow_user(follower=UserFactory(), followee=creator)
    stream = create_stream(host=creator, title="Momo cooking")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        live(stream)

    assert len(other_than_room_broadcasts(callbacks)) == 1
    assert not Notification.objects.exists()


def test_going_live_with_recording_on_opens_a_recording(creator):
    stream = create_stream(host=creator, title="Concert", record=True)

    live(stream)

    assert Recording.objects.get(stream=stream).status == Recording.Status.RECORDING


def test_a_host_cannot_be_live_twice(creator):
    first = create_stream(host=creator, title="First")
    second = create_stream(host=creator, title="Second")
    live(first)

    with pytest.raises(AlreadyLive) as refused:
        live(second)

    assert refused.value.code == "already_live"
    second.refresh_from_db()
    assert second.status == Stream.Status.SCHEDULED


@pytest.mark.parametrize("active_status", [Stream.Status.LIVE, Stream.Status.INTERRUPTED])
def test_the_database_itself_allows_one_active_stream_per_host(creator, active_status):
    first = create_stream(host=creator, title="First")
    second = create_stream(host=creator, title="Second")
    live(first)
    if active_status == Stream.Status.INTERRUPTED:
        interrupt_stream(stream=first)

    with pytest.raises(IntegrityError), transaction.atomic():
        Stream.objects.filter(pk=second.pk).update(status=Stream.Status.LIVE)

    # Another host's stream is not affected by the constraint.
    other = StreamFactory()
    Stream.objects.filter(pk=other.pk).update(status=Stream.Status.LIVE)


def test_an_ended_stream_cannot_go_live_again(creator):
    stream = create_stream(host=creator, title="Done")
    end_stream(stream=stream, reason=Stream.EndReason.HOST)

    with pytest.raises(StreamNotEditable) as refused:
        live(stream)

    assert refused.value.code == "stream_ended"


# --- Interruptions -----------------------------------------------------------------


def test_an_interrupted_stream_resumes_when_its_publisher_returns(
    creator, django_capture_on_commit_callbacks
):
    stream = live(create_stream(host=creator, title="Shaky wifi"))
    started_at = stream.started_at

    interrupted = interrupt_stream(stream=stream)
    assert interrupted.status == Stream.Status.INTERRUPTED
    assert interrupted.interrupted_at is not None
    assert interrupted.publisher_token == ""

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resumed = live(stream)

    resumed.refresh_from_db()
    assert resumed.status == Stream.Status.LIVE
    assert resumed.interrupted_at is None
    assert resumed.started_at == started_at
    assert other_than_room_broadcasts(callbacks) == [], (
        "followers are told once, not on every reconnect"
    )


def test_interrupting_a_stream_that_is_not_live_changes_nothing(creator):
    stream = create_stream(host=creator, title="Not yet")

    assert interrupt_stream(stream=stream).status == Stream.Status.SCHEDULED


def test_only_streams_interrupted_longer_than_the_grace_period_are_ended(creator, settings):
    settings.STREAM_RESUME_GRACE_SECONDS = 60
    interrupted = interrupt_stream(stream=live(create_stream(host=creator, title="Gone")))
    still_live = live(StreamFactory())
    grace = timedelta(seconds=60)

    assert (
        expire_interrupted_streams(now=interrupted.interrupted_at + grace - timedelta(seconds=1))
        == 0
    )
    interrupted.refresh_from_db()
    assert interrupted.status == Stream.Status.INTERRUPTED

    assert (
        expire_interrupted_streams(now=interrupted.interrupted_at + grace + timedelta(seconds=1))
        == 1
    )
    interrupted.refresh_from_db()
    assert interrupted.status == Stream.Status.ENDED
    assert interrupted.end_reason == Stream.EndReason.INGEST_LOST
    still_live.refresh_from_db()
    assert still_live.status == Stream.Status.LIVE


# --- Ending ------------------------------------------------------------------------


def test_ending_a_stream_is_idempotent(creator):
    stream = live(create_stream(host=creator, title="Goodnight"))

    ended = end_stream(stream=stream, reason=Stream.EndReason.HOST)
    again = end_stream(stream=stream, reason=Stream.EndReason.MODERATOR)

    assert ended.status == again.status == Stream.Status.ENDED
    assert again.ended_at == ended.ended_at
    assert again.end_reason == Stream.EndReason.HOST
    assert again.publisher_token == ""


def test_ending_a_stream_that_never_started_says_so(creator):
    stream = create_stream(host=creator, title="Cancelled")

    assert end_stream(stream=stream, reason=Stream.EndReason.HOST).end_reason == (
        Stream.EndReason.NEVER_STARTED
    )


def test_ending_a_stream_lets_its_viewers_go(creator):
    stream = live(create_stream(host=creator, title="Goodnight"))
    record_viewer_heartbeat(stream=stream, viewer=UserFactory())
    record_viewer_heartbeat(stream=stream, anonymous_key="visitor-hash")

    ended = end_stream(stream=stream, reason=Stream.EndReason.HOST)

    assert not ViewerSession.objects.filter(stream=stream, left_at__isnull=True).exists()
    assert ended.current_viewers == 0


def test_ending_a_recorded_stream_queues_its_vod_after_commit(
    creator, django_capture_on_commit_callbacks
):
    stream = live(create_stream(host=creator, title="Concert", record=True))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        end_stream(stream=stream, reason=Stream.EndReason.HOST)

    recording = Recording.objects.get(stream=stream)
    assert recording.status == Recording.Status.PROCESSING
    [queue_vod] = other_than_room_broadcasts(callbacks)

    queue_vod()  # Celery runs eagerly in tests: build_vod finds nothing recorded.

    recording.refresh_from_db()
    assert recording.status == Recording.Status.FAILED


def test_ending_an_unrecorded_stream_queues_nothing(creator, django_capture_on_commit_callbacks):
    stream = live(create_stream(host=creator, title="Chat"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        end_stream(stream=stream, reason=Stream.EndReason.HOST)

    assert other_than_room_broadcasts(callbacks) == []


def test_a_host_can_stop_their_own_stream(creator):
    stream = live(create_stream(host=creator, title="Bye"))

    stopped = stop_own_stream(stream=stream, actor=creator)

    assert stopped.status == Stream.Status.ENDED
    assert stopped.end_reason == Stream.EndReason.HOST


def test_nobody_else_can_stop_a_hosts_stream(creator, user):
    stream = live(create_stream(host=creator, title="Mine"))

    with pytest.raises(StreamNotEditable) as refused:
        stop_own_stream(stream=stream, actor=user)

    assert refused.value.code == "not_stream_host"
    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE


# --- Editing -----------------------------------------------------------------------


def test_a_scheduled_stream_can_change_everything(creator):
    stream = create_stream(host=creator, title="Draft")
    tomorrow = timezone.now() + timedelta(days=1)

    updated = update_stream(
        stream=stream,
        title="Final",
        tags="#Ghazal",
        record=True,
        scheduled_start=tomorrow,
        category=category("music"),
    )

    updated.refresh_from_db()
    assert (updated.title, updated.tags, updated.record) == ("Final", ["ghazal"], True)
    assert updated.scheduled_start == tomorrow


@pytest.mark.parametrize(
    "change",
    [
        lambda: {"scheduled_start": timezone.now() + timedelta(days=1)},
        lambda: {"record": True},
    ],
    ids=["schedule", "recording"],
)
def test_schedule_and_recording_are_locked_once_live(creator, change):
    stream = live(create_stream(host=creator, title="On air"))

    with pytest.raises(StreamNotEditable) as refused:
        update_stream(stream=stream, **change())

    assert refused.value.code == "stream_already_started"


def test_a_live_stream_can_still_change_its_title_and_tags(creator):
    stream = live(create_stream(host=creator, title="On air"))

    updated = update_stream(stream=stream, title="Still on air", tags=["Q&A"], record=False)

    assert (updated.title, updated.tags) == ("Still on air", ["q&a"])


def test_an_ended_stream_cannot_be_edited(creator):
    stream = end_stream(stream=live(create_stream(host=creator, title="Over")), reason="host")

    with pytest.raises(StreamNotEditable) as refused:
        update_stream(stream=stream, title="Rewritten history")

    assert refused.value.code == "stream_ended"


def test_editing_refuses_fields_that_are_not_editable(creator):
    stream = create_stream(host=creator, title="Draft")

    with pytest.raises(TypeError):
        update_stream(stream=stream, status=Stream.Status.LIVE)


def test_an_edited_title_obeys_the_same_rules(creator):
    stream = create_stream(host=creator, title="Draft")

    with pytest.raises(StreamNotEditable) as refused:
        update_stream(stream=stream, title="y" * (TITLE_MAX_LENGTH + 1))

    assert refused.value.code == "title_too_long"


def test_editing_a_stale_copy_does_not_bring_an_ended_stream_back_on_air(creator):
    stream = live(create_stream(host=creator, title="On air"))
    copy_in_the_hosts_form = Stream.objects.get(pk=stream.pk)
    end_stream(stream=stream, reason=Stream.EndReason.MODERATOR)

    with pytest.raises(StreamNotEditable):
        update_stream(stream=copy_in_the_hosts_form, title="New title")

    stream.refresh_from_db()
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.MODERATOR


def test_editing_the_title_keeps_the_viewer_counts_written_meanwhile(creator):
    stream = live(create_stream(host=creator, title="On air"))
    copy_in_the_hosts_form = Stream.objects.get(pk=stream.pk)
    viewer = UserFactory()
    record_viewer_heartbeat(stream=stream, viewer=viewer)
    RoomPresenceFactory(stream=stream, user=viewer)  # their page's room socket
    refresh_viewer_counts(stream=stream)

    update_stream(stream=copy_in_the_hosts_form, title="Still on air")

    stream.refresh_from_db()
    assert (stream.title, stream.current_viewers, stream.peak_viewers) == ("Still on air", 1, 1)


# --- Concurrency (PostgreSQL) --------------------------------------------------------


def _run_together(*jobs):
    """Run each job in its own thread and database connection, started together."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def postgresql():
    # Row locks and concurrent unique checks behave as in production only here.
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_streams_going_live_at_once_leave_exactly_one_on_air(postgresql):
    host = UserFactory(is_creator=True)
    first = create_stream(host=host, title="Phone")
    second = create_stream(host=host, title="Laptop")

    results = _run_together(lambda: live(first), lambda: live(second))

    assert sum(isinstance(result, Stream) for result in results) == 1
    assert sum(isinstance(result, AlreadyLive) for result in results) == 1
    assert Stream.objects.filter(host=host, status=Stream.Status.LIVE).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_cannot_both_slip_under_the_daily_limit(postgresql, settings):
    settings.STREAMS_MAX_NEW_PER_DAY = 3
    host = UserFactory(is_creator=True)
    create_stream(host=host, title="One")
    create_stream(host=host, title="Two")

    results = _run_together(
        lambda: create_stream(host=host, title="Tab A"),
        lambda: create_stream(host=host, title="Tab B"),
        lambda: create_stream(host=host, title="Tab C"),
    )

    assert sum(isinstance(result, Stream) for result in results) == 1
    assert sum(isinstance(result, DailyStreamLimitReached) for result in results) == 2
    assert Stream.objects.filter(host=host).count() == 3
