"""The requests queue: viewers ask, others upvote once, the host and moderators work
through the list, most upvoted first."""

import pytest
from django.contrib.auth.models import AnonymousUser

from streams import events
from streams.models import RoomEvent, RoomRequest, RoomRequestUpvote, Stream
from streams.selectors.room import list_open_requests
from streams.services.lifecycle import end_stream
from streams.services.room_requests import (
    OPEN_REQUESTS_PER_VIEWER,
    resolve_request,
    submit_request,
    upvote_request,
)
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import (
    ChannelBanFactory,
    ChannelModeratorFactory,
    refused,
)

pytestmark = pytest.mark.django_db


def submit(stream, author, text="Play Lisboa Menina"):
    return submit_request(author=author, stream_id=stream.pk, text=text)


def upvote(request, voter):
    return upvote_request(voter=voter, stream_id=request.stream_id, request_id=request.pk)


# --- Asking ----------------------------------------------------------------------------


def test_a_viewer_asks_and_the_room_sees_the_request(
    stream, viewer, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(stream, viewer, "  Play\n Lisboa   Menina ")

    assert request.text == "Play Lisboa Menina"
    assert request.status == RoomRequest.Status.OPEN and request.upvotes == 0
    [added] = broadcasts.to(events.room_group(stream.pk))
    assert added["type"] == "request.added" and added["seq"] == 1
    assert added["request"]["id"] == request.pk
    assert added["request"]["author"] == events.user_payload(viewer)
    assert added["request"]["you_upvoted"] is False


@pytest.mark.parametrize("text", ["", "   ", "x" * 201, None])
def test_a_request_is_one_to_two_hundred_characters(stream, viewer, text):
    with refused("invalid"):
        submit(stream, viewer, text)

    assert submit(stream, viewer, "x" * 200).text == "x" * 200


def test_a_viewer_has_a_limited_number_of_requests_waiting(stream, host, viewer):
    waiting = [submit(stream, viewer, f"song {n}") for n in range(OPEN_REQUESTS_PER_VIEWER)]

    with refused("too_many_requests"):
        submit(stream, viewer, "one more")
    assert submit(stream, UserFactory(), "someone else's").pk  # the limit is per viewer

    resolve_request(actor=host, stream_id=stream.pk, request_id=waiting[0].pk, status="done")
    assert submit(stream, viewer, "one more").text == "one more"


def test_visitors_and_banned_members_cannot_ask(stream, host):
    banned = UserFactory()
    ChannelBanFactory(channel=host, user=banned)

    with refused("not_signed_in"):
        submit(stream, AnonymousUser())
    with refused("channel_banned"):
        submit(stream, banned)
    assert not RoomRequest.objects.exists()


def test_an_ended_stream_takes_no_requests(stream, viewer):
    end_stream(stream=stream, reason=Stream.EndReason.HOST)

    with refused("chat_closed"):
        submit(stream, viewer)


# --- Upvoting --------------------------------------------------------------------------


def test_a_viewer_upvotes_a_request_once(
    stream, viewer, broadcasts, django_capture_on_commit_callbacks
):
    request = submit(stream, UserFactory())
    broadcasts.clear()

    with django_capture_on_commit_callbacks(execute=True):
        upvoted = upvote(request, viewer)

    assert upvoted.upvotes == 1
    [updated] = broadcasts.to(events.room_group(stream.pk))
    assert updated["type"] == "request.updated" and updated["seq"] == 2
    assert updated["request"]["upvotes"] == 1
    assert updated["request"]["you_upvoted"] is False  # the same frame for everyone

    with refused("already_upvoted"):
        upvote(request, viewer)
    request.refresh_from_db()
    assert request.upvotes == 1
    assert RoomRequestUpvote.objects.count() == 1


def test_nobody_upvotes_their_own_request(stream, viewer):
    request = submit(stream, viewer)

    with refused("own_request"):
        upvote(request, viewer)


def test_a_resolved_request_takes_no_upvotes(stream, host, viewer):
    request = submit(stream, UserFactory())
    resolve_request(actor=host, stream_id=stream.pk, request_id=request.pk, status="dismissed")

    with refused("request_closed"):
        upvote(request, viewer)


def test_a_request_of_another_room_is_not_found(stream, viewer):
    elsewhere = submit(LiveStreamFactory(), UserFactory())

    for request_id in (elsewhere.pk, 999999, "x"):
        with refused("not_found"):
            upvote_request(voter=viewer, stream_id=stream.pk, request_id=request_id)


# --- Resolving -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["host", "moderator"])
@pytest.mark.parametrize("status", ["done", "dismissed"])
def test_the_host_and_moderators_resolve_requests(
    stream, host, who, status, broadcasts, django_capture_on_commit_callbacks
):
    actor = host if who == "host" else ChannelModeratorFactory(channel=host).moderator
    request = submit(stream, UserFactory())
    broadcasts.clear()

    with django_capture_on_commit_callbacks(execute=True):
        resolved = resolve_request(
            actor=actor, stream_id=stream.pk, request_id=request.pk, status=status
        )

    assert resolved.status == status
    assert resolved.resolved_by == actor and resolved.resolved_at is not None
    [updated] = broadcasts.to(events.room_group(stream.pk))
    assert updated["type"] == "request.updated" and updated["request"]["status"] == status
    assert list_open_requests(stream_id=stream.pk) == []


def test_a_viewer_cannot_resolve_requests_not_even_their_own(stream, viewer):
    request = submit(stream, viewer)

    with refused("forbidden"):
        resolve_request(actor=viewer, stream_id=stream.pk, request_id=request.pk, status="done")
    request.refresh_from_db()
    assert request.status == RoomRequest.Status.OPEN


def test_a_request_is_resolved_once_and_only_as_done_or_dismissed(stream, host):
    request = submit(stream, UserFactory())

    with refused("invalid"):
        resolve_request(actor=host, stream_id=stream.pk, request_id=request.pk, status="open")
    resolve_request(actor=host, stream_id=stream.pk, request_id=request.pk, status="done")
    with refused("request_closed"):
        resolve_request(actor=host, stream_id=stream.pk, request_id=request.pk, status="dismissed")
    assert RoomEvent.objects.filter(frame__type="request.updated").count() == 1


# --- The queue -------------------------------------------------------------------------


def test_the_queue_is_ranked_by_upvotes_then_by_age(stream, host):
    first, second, third, fourth = (submit(stream, UserFactory(), f"song {n}") for n in range(4))
    for voter in UserFactory.create_batch(2):
        upvote(third, voter)
    upvote(second, UserFactory())
    upvote(fourth, UserFactory())
    resolve_request(actor=host, stream_id=stream.pk, request_id=first.pk, status="done")

    ranked = list_open_requests(stream_id=stream.pk)

    assert [request.text for request in ranked] == ["song 2", "song 1", "song 3"]
