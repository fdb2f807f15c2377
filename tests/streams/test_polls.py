"""Polls in the live room: the host asks, chatters vote once, the room sees the tally
(at most once a second) and the final results when the poll closes."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from streams import events, tasks
from streams.models import Poll, PollVote, RoomEvent, Stream
from streams.services.lifecycle import end_stream
from streams.services.polls import (
    close_due_polls,
    close_poll,
    create_poll,
    send_poll_results,
    vote_in_poll,
)
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory, StreamFactory
from tests.streams.room_factories import (
    ChannelBanFactory,
    ChannelModeratorFactory,
    freeze_clock,
    refused,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return freeze_clock(monkeypatch)


@pytest.fixture
def delayed_results(monkeypatch):
    """The tally updates queued for the end of the throttle window (not run)."""
    queued = []
    monkeypatch.setattr(
        tasks.send_poll_results, "apply_async", lambda **kwargs: queued.append(kwargs)
    )
    return queued


def ask(stream, host, options=("Fado", "Samba"), duration_seconds=120, question="Next song?"):
    return create_poll(
        actor=host,
        stream_id=stream.pk,
        question=question,
        options=list(options),
        duration_seconds=duration_seconds,
    )


def vote(poll, voter, option_index=0):
    option = poll.options.all()[option_index]
    return vote_in_poll(voter=voter, stream_id=poll.stream_id, poll_id=poll.pk, option_id=option.pk)


def tallies(poll) -> list[int]:
    return list(poll.options.order_by("position").values_list("votes", flat=True))


# --- Opening a poll --------------------------------------------------------------------


def test_the_host_opens_a_poll_and_the_room_sees_it(
    stream, host, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        poll = ask(stream, host, options=[" Fado ", "Samba", "", "Bhajan"], duration_seconds=90)

    assert poll.status == Poll.Status.OPEN
    assert [option.text for option in poll.options.all()] == ["Fado", "Samba", "Bhajan"]
    assert poll.closes_at - poll.opened_at == timedelta(seconds=90)
    [opened] = broadcasts.to(events.room_group(stream.pk))
    assert opened["type"] == "poll.opened" and opened["seq"] == 1
    assert opened["poll"]["question"] == "Next song?"
    assert opened["poll"]["your_vote"] is None and opened["poll"]["total_votes"] == 0
    assert [option["text"] for option in opened["poll"]["options"]] == ["Fado", "Samba", "Bhajan"]


@pytest.mark.parametrize("count", [2, 5])
def test_a_poll_has_two_to_five_options(stream, host, count):
    poll = ask(stream, host, options=[f"option {n}" for n in range(count)])

    assert poll.options.count() == count


@pytest.mark.parametrize(
    "options",
    [["only one"], [f"option {n}" for n in range(6)], ["same", "SAME"], ["a", "x" * 81], "a,b"],
    ids=["one", "six", "duplicates", "option-too-long", "not-a-list"],
)
def test_a_poll_with_wrong_options_is_refused(stream, host, options):
    with refused("invalid"):
        create_poll(
            actor=host, stream_id=stream.pk, question="?", options=options, duration_seconds=60
        )
    assert not Poll.objects.exists()


@pytest.mark.parametrize("duration_seconds", [30, 600])
def test_a_poll_runs_from_thirty_seconds_to_ten_minutes(stream, host, duration_seconds):
    assert ask(stream, host, duration_seconds=duration_seconds).duration_seconds == (
        duration_seconds
    )


@pytest.mark.parametrize("duration_seconds", [29, 601, None, "long"])
def test_a_poll_outside_thirty_seconds_to_ten_minutes_is_refused(stream, host, duration_seconds):
    with refused("invalid"):
        ask(stream, host, duration_seconds=duration_seconds)


@pytest.mark.parametrize("question", ["", "   ", "?" * 141])
def test_a_poll_needs_a_question_of_at_most_140_characters(stream, host, question):
    with refused("invalid"):
        ask(stream, host, question=question)


def test_only_the_host_opens_a_poll(stream, host):
    moderator = ChannelModeratorFactory(channel=host).moderator

    for actor in (moderator, UserFactory()):
        with refused("forbidden"):
            ask(stream, actor)
    assert not Poll.objects.exists()


def test_an_ended_stream_takes_no_new_poll():
    stream = EndedStreamFactory()

    with refused("chat_closed"):
        ask(stream, stream.host)


def test_one_poll_at_a_time(stream, host):
    ask(stream, host)

    with refused("poll_already_open"):
        ask(stream, host, question="Another?")
    assert Poll.objects.count() == 1


def test_a_poll_whose_time_is_up_makes_way_for_the_next(stream, host, clock):
    first = ask(stream, host, duration_seconds=30)
    clock.advance(seconds=31)

    second = ask(stream, host, question="And now?")

    first.refresh_from_db()
    assert first.status == Poll.Status.CLOSED and second.status == Poll.Status.OPEN
    types = list(RoomEvent.objects.order_by("seq").values_list("frame__type", flat=True))
    assert types == ["poll.opened", "poll.closed", "poll.opened"]


# --- Voting ----------------------------------------------------------------------------


def test_a_chatter_votes_once(stream, host):
    poll = ask(stream, host)
    voter = UserFactory()

    vote(poll, voter, 1)

    with refused("already_voted"):
        vote(poll, voter, 1)
    with refused("already_voted"):
        vote(poll, voter, 0)
    poll.refresh_from_db()
    assert poll.total_votes == 1
    assert tallies(poll) == [0, 1]
    assert PollVote.objects.get().voter == voter


def test_votes_add_up(stream, host):
    poll = ask(stream, host, options=["a", "b", "c"])
    for option_index in (0, 2, 2, 2, 1):
        vote(poll, UserFactory(), option_index)

    poll.refresh_from_db()
    assert poll.total_votes == 5
    assert tallies(poll) == [1, 1, 3]


def test_a_closed_poll_takes_no_votes(stream, host):
    poll = ask(stream, host)
    close_poll(poll_id=poll.pk, actor=host)

    with refused("poll_closed"):
        vote(poll, UserFactory())


def test_a_poll_past_its_time_takes_no_votes_even_before_the_sweep(stream, host, clock):
    poll = ask(stream, host, duration_seconds=30)
    clock.advance(seconds=30)

    with refused("poll_closed"):
        vote(poll, UserFactory())


def test_an_option_of_another_poll_or_room_is_not_found(stream, host):
    poll = ask(stream, host)
    other = LiveStreamFactory()
    other_poll = ask(other, other.host)
    voter = UserFactory()

    with refused("not_found"):
        vote_in_poll(
            voter=voter,
            stream_id=stream.pk,
            poll_id=poll.pk,
            option_id=other_poll.options.first().pk,
        )
    with refused("not_found"):
        vote_in_poll(
            voter=voter,
            stream_id=stream.pk,
            poll_id=other_poll.pk,
            option_id=other_poll.options.first().pk,
        )
    with refused("not_found"):
        vote_in_poll(voter=voter, stream_id=stream.pk, poll_id="x", option_id=None)


def test_visitors_and_banned_members_cannot_vote(stream, host):
    poll = ask(stream, host)
    banned = UserFactory()
    ChannelBanFactory(channel=host, user=banned)

    with refused("not_signed_in"):
        vote(poll, AnonymousUser())
    with refused("channel_banned"):
        vote(poll, banned)
    assert not PollVote.objects.exists()


# --- The live tally --------------------------------------------------------------------


def test_the_first_vote_sends_the_tally_at_once(
    stream, host, broadcasts, delayed_results, django_capture_on_commit_callbacks
):
    poll = ask(stream, host)

    with django_capture_on_commit_callbacks(execute=True):
        vote(poll, UserFactory(), 1)

    option_ids = [option.pk for option in poll.options.all()]
    assert broadcasts.to(events.room_group(stream.pk)) == [
        events.build_frame(
            "poll.results",
            poll_id=poll.pk,
            total_votes=1,
            options=[{"id": option_ids[0], "votes": 0}, {"id": option_ids[1], "votes": 1}],
        )
    ]
    assert delayed_results == []


def vote_and_commit(poll, voter, capture):
    with capture(execute=True):
        vote(poll, voter)


def test_votes_inside_the_window_leave_one_update_for_its_end(
    stream, host, broadcasts, delayed_results, settings, django_capture_on_commit_callbacks
):
    poll = ask(stream, host)

    for _ in range(20):
        vote_and_commit(poll, UserFactory(), django_capture_on_commit_callbacks)

    assert broadcasts.types() == ["poll.results"]  # the first vote's, sent at once
    assert delayed_results == [{"args": [poll.pk], "countdown": settings.ROOM_POLL_RESULTS_SECONDS}]

    send_poll_results(poll_id=poll.pk)  # the window ends

    assert [frame["total_votes"] for frame in broadcasts.of_type("poll.results")] == [1, 20]


def test_a_vote_after_the_window_waits_for_the_update_already_queued(
    stream, host, broadcasts, delayed_results, settings, django_capture_on_commit_callbacks
):
    settings.ROOM_POLL_RESULTS_SECONDS = 1
    poll = ask(stream, host)
    vote_and_commit(poll, UserFactory(), django_capture_on_commit_callbacks)  # sent
    vote_and_commit(poll, UserFactory(), django_capture_on_commit_callbacks)  # queued
    time.sleep(1.1)  # the window is over; the queued update has not run yet

    vote_and_commit(poll, UserFactory(), django_capture_on_commit_callbacks)

    assert [frame["total_votes"] for frame in broadcasts.of_type("poll.results")] == [1]
    assert len(delayed_results) == 1
    send_poll_results(poll_id=poll.pk)  # the queued update: every vote so far
    assert [frame["total_votes"] for frame in broadcasts.of_type("poll.results")] == [1, 3]

    # Right after it, a vote queues the next update instead of sending again.
    vote_and_commit(poll, UserFactory(), django_capture_on_commit_callbacks)

    assert len(broadcasts.of_type("poll.results")) == 2
    assert len(delayed_results) == 2


def test_no_tally_is_sent_for_a_closed_poll(stream, host, broadcasts):
    poll = ask(stream, host)
    close_poll(poll_id=poll.pk, actor=host)

    send_poll_results(poll_id=poll.pk)
    send_poll_results(poll_id=999999)

    assert broadcasts.of_type("poll.results") == []


# --- Closing ---------------------------------------------------------------------------


def test_the_host_closes_the_poll_and_the_final_results_are_kept(
    stream, host, broadcasts, django_capture_on_commit_callbacks
):
    poll = ask(stream, host)
    vote(poll, UserFactory(), 0)
    vote(poll, UserFactory(), 1)
    vote(poll, UserFactory(), 1)

    with django_capture_on_commit_callbacks(execute=True):
        closed = close_poll(poll_id=poll.pk, actor=host)

    assert closed.status == Poll.Status.CLOSED and closed.closed_at is not None
    stored = Poll.objects.get(pk=poll.pk)
    assert stored.total_votes == 3 and tallies(stored) == [1, 2]
    [frame] = broadcasts.to(events.room_group(stream.pk))
    assert frame["type"] == "poll.closed" and frame["seq"] == 2
    assert frame["poll"]["status"] == "closed" and frame["poll"]["total_votes"] == 3
    assert [option["votes"] for option in frame["poll"]["options"]] == [1, 2]


def test_only_the_host_closes_a_poll(stream, host):
    poll = ask(stream, host)
    moderator = ChannelModeratorFactory(channel=host).moderator

    with refused("forbidden"):
        close_poll(poll_id=poll.pk, actor=moderator)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN


def test_a_poll_of_another_room_is_not_closed_from_this_one(stream, host):
    """The host's next stream (scheduled) has a poll; this room cannot close it."""
    next_stream = StreamFactory(host=host)
    poll = ask(next_stream, host)

    with refused("not_found"):
        close_poll(poll_id=poll.pk, actor=host, stream_id=stream.pk)

    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert close_poll(poll_id=poll.pk, actor=host, stream_id=next_stream.pk).status == "closed"


def test_closing_a_closed_poll(stream, host):
    poll = ask(stream, host)
    close_poll(poll_id=poll.pk, actor=host)

    with refused("poll_closed"):
        close_poll(poll_id=poll.pk, actor=host)
    assert close_poll(poll_id=poll.pk).status == Poll.Status.CLOSED  # the timer, late
    assert RoomEvent.objects.filter(frame__type="poll.closed").count() == 1
    with refused("not_found"):
        close_poll(poll_id=999999, actor=host)


def test_the_timer_closes_the_poll_when_its_time_is_up_not_before(stream, host, clock):
    poll = ask(stream, host, duration_seconds=60)
    clock.advance(seconds=59)

    tasks.close_poll(poll.pk)  # a task that ran early
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN

    clock.advance(seconds=1)
    tasks.close_poll(poll.pk)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED


def test_the_sweep_closes_every_poll_whose_time_is_up(stream, host, clock):
    due = ask(stream, host, duration_seconds=30)
    other = LiveStreamFactory()
    running = ask(other, other.host, duration_seconds=600)
    clock.advance(seconds=45)

    assert close_due_polls() == 1

    due.refresh_from_db()
    running.refresh_from_db()
    assert due.status == Poll.Status.CLOSED and running.status == Poll.Status.OPEN
    assert close_due_polls() == 0


def test_ending_the_stream_closes_its_poll_with_the_final_results(stream, host):
    poll = ask(stream, host)
    vote(poll, UserFactory(), 1)

    end_stream(stream=stream, reason=Stream.EndReason.HOST)

    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED and poll.total_votes == 1
    closed = RoomEvent.objects.get(frame__type="poll.closed").frame
    assert closed["poll"]["total_votes"] == 1
    assert [option["votes"] for option in closed["poll"]["options"]] == [0, 1]
    types = list(RoomEvent.objects.order_by("seq").values_list("frame__type", flat=True))
    assert types == ["poll.opened", "poll.closed", "stream.status", "room.notice"]
