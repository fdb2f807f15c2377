"""Reactions, polls and the requests queue through the live room socket."""

import asyncio
import time
from collections import Counter

import pytest

from streams.models import ChannelModerator
from streams.services import room_moderation
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory, StreamFactory
from tests.streams.room_helpers import (
    TIMEOUT,
    automod_loaded,  # noqa: F401
    db,
    fresh_channel_layer,  # noqa: F401
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("automod_loaded", "fresh_channel_layer"),
]


@pytest.fixture
def fast_reactions(settings):
    settings.ROOM_REACTION_WINDOW_SECONDS = 0.1
    return settings


async def receive_reactions(client, expected: Counter) -> list[dict]:
    """Bursts until their counts add up to `expected` (taps may straddle two windows)."""
    bursts = []
    total = Counter()
    deadline = time.monotonic() + TIMEOUT
    while total != expected:
        assert time.monotonic() < deadline, f"bursts added up to {total}, not {expected}"
        burst = await client.expect("reaction.burst", timeout=deadline - time.monotonic())
        bursts.append(burst)
        total.update(burst["counts"])
        assert all(total[kind] <= expected[kind] for kind in total), total
    return bursts


async def open_poll(sockets, stream, **fields):
    host = await sockets.join(stream, stream.host)
    await host.send(
        "poll.create",
        **{"question": "Next song?", "options": ["Fado", "Samba"], "duration_seconds": 60} | fields,
    )
    opened = await host.expect("poll.opened")
    return host, opened["poll"]


# --- Reactions ---------------------------------------------------------------------------


async def test_reaction_taps_reach_other_viewers_as_a_burst(sockets, fast_reactions):
    stream = await db(LiveStreamFactory)()
    tapper = await sockets.join(stream, await db(UserFactory)())
    watcher = await sockets.join(stream)

    for kind in ("heart", "heart", "fire", "heart"):
        await tapper.send("reaction.send", kind=kind)

    bursts = await receive_reactions(watcher, Counter(heart=3, fire=1))
    assert len(bursts) <= 2
    assert all("seq" not in burst for burst in bursts)
    await tapper.expect_nothing("error")


async def test_reactions_beyond_eight_a_second_from_one_socket_are_dropped(sockets, fast_reactions):
    stream = await db(LiveStreamFactory)()
    tapper = await sockets.join(stream, await db(UserFactory)())
    watcher = await sockets.join(stream)

    for _ in range(20):
        await tapper.send("reaction.send", kind="clap")

    await receive_reactions(watcher, Counter(clap=8))
    await asyncio.sleep(0.2)
    await watcher.expect_nothing("reaction.burst", timeout=0.2)
    await tapper.expect_nothing("error")


async def test_unknown_reaction_is_invalid(sockets):
    stream = await db(LiveStreamFactory)()
    tapper = await sockets.join(stream, await db(UserFactory)())

    await tapper.send("reaction.send", kind="poop")

    await tapper.expect_error("invalid")
    await tapper.assert_still_open()


async def test_banned_user_cannot_react(sockets, fast_reactions):
    stream = await db(LiveStreamFactory)()
    troll = await db(UserFactory)()
    await db(room_moderation.ban_user)(actor=stream.host, stream_id=stream.pk, user_id=troll.pk)
    tapper = await sockets.join(stream, troll)
    watcher = await sockets.join(stream)

    await tapper.send("reaction.send", kind="heart")

    await tapper.expect_error("channel_banned")
    await tapper.assert_still_open()
    await watcher.expect_nothing("reaction.burst")


# --- Polls -------------------------------------------------------------------------------


async def test_host_opens_a_poll_for_everyone(sockets):
    stream = await db(LiveStreamFactory)()
    viewer = await sockets.join(stream)

    _host, poll = await open_poll(sockets, stream)

    opened = await viewer.expect("poll.opened")
    assert opened["seq"] == 1
    assert opened["poll"] == poll
    assert poll["question"] == "Next song?"
    assert poll["status"] == "open"
    assert poll["total_votes"] == 0
    assert poll["your_vote"] is None
    assert [(option["text"], option["votes"]) for option in poll["options"]] == [
        ("Fado", 0),
        ("Samba", 0),
    ]
    assert (await sockets.join(stream)).welcome["poll"]["id"] == poll["id"]


async def test_viewer_votes_and_everyone_sees_the_tally(sockets):
    stream = await db(LiveStreamFactory)()
    voter_user = await db(UserFactory)()
    voter = await sockets.join(stream, voter_user)
    watcher = await sockets.join(stream)
    _host, poll = await open_poll(sockets, stream)
    fado = poll["options"][0]["id"]

    await voter.send("poll.vote", poll_id=poll["id"], option_id=fado, ref="v")

    voted = await voter.expect("poll.voted")
    assert voted == {
        "type": "poll.voted",
        "v": 1,
        "ref": "v",
        "poll_id": poll["id"],
        "option_id": fado,
    }
    results = await watcher.expect("poll.results")
    assert "seq" not in results
    assert results["poll_id"] == poll["id"]
    assert results["total_votes"] == 1
    assert results["options"] == [
        {"id": fado, "votes": 1},
        {"id": poll["options"][1]["id"], "votes": 0},
    ]
    back = await sockets.join(stream, voter_user)
    assert back.welcome["poll"]["your_vote"] == fado


async def test_second_vote_in_a_poll_is_refused(sockets):
    stream = await db(LiveStreamFactory)()
    voter = await sockets.join(stream, await db(UserFactory)())
    _host, poll = await open_poll(sockets, stream)
    fado, samba = (option["id"] for option in poll["options"])
    await voter.send("poll.vote", poll_id=poll["id"], option_id=fado)
    await voter.expect("poll.voted")

    await voter.send("poll.vote", poll_id=poll["id"], option_id=samba)

    await voter.expect_error("already_voted")
    await voter.assert_still_open()


async def test_host_closes_the_poll_with_its_final_results(sockets):
    stream = await db(LiveStreamFactory)()
    voter = await sockets.join(stream, await db(UserFactory)())
    host, poll = await open_poll(sockets, stream)
    samba = poll["options"][1]["id"]
    await voter.send("poll.vote", poll_id=poll["id"], option_id=samba)
    await voter.expect("poll.voted")

    await host.send("poll.close", poll_id=poll["id"])

    closed = await voter.expect("poll.closed")
    assert closed["seq"] == 2
    assert closed["poll"]["status"] == "closed"
    assert closed["poll"]["total_votes"] == 1
    assert [option["votes"] for option in closed["poll"]["options"]] == [0, 1]
    await voter.send("poll.vote", poll_id=poll["id"], option_id=samba)
    await voter.expect_error("poll_closed")
    assert (await sockets.join(stream)).welcome["poll"] is None


async def test_second_poll_while_one_is_open_is_refused(sockets):
    stream = await db(LiveStreamFactory)()
    host, _poll = await open_poll(sockets, stream)

    await host.send("poll.create", question="Another?", options=["Yes", "No"], duration_seconds=60)

    await host.expect_error("poll_already_open")


@pytest.mark.parametrize(
    "fields",
    [
        {"options": ["Only one"]},
        {"options": ["a", "b", "c", "d", "e", "f"]},
        {"duration_seconds": 29},
        {"duration_seconds": 601},
        {"question": ""},
    ],
    ids=["one_option", "six_options", "too_short", "too_long", "no_question"],
)
async def test_poll_outside_the_rules_is_invalid(sockets, fields):
    stream = await db(LiveStreamFactory)()
    host = await sockets.join(stream, stream.host)

    await host.send(
        "poll.create",
        **{"question": "Next song?", "options": ["Fado", "Samba"], "duration_seconds": 60} | fields,
    )

    await host.expect_error("invalid")
    await host.assert_still_open()


async def test_only_the_host_may_open_or_close_a_poll(sockets):
    stream = await db(LiveStreamFactory)()
    moderator = await db(UserFactory)()
    await db(ChannelModerator.objects.create)(
        channel=stream.host, moderator=moderator, appointed_by=stream.host
    )
    mod = await sockets.join(stream, moderator)
    _host, poll = await open_poll(sockets, stream)

    await mod.send("poll.create", question="Mine?", options=["a", "b"], duration_seconds=60)
    await mod.expect_error("forbidden")
    await mod.send("poll.close", poll_id=poll["id"])
    await mod.expect_error("forbidden")
    await mod.assert_still_open()


async def test_closing_a_poll_of_another_room_is_not_found(sockets):
    """The host's other stream (say, the next one, scheduled) has a poll; a socket of
    this room cannot close it."""
    stream = await db(LiveStreamFactory)()
    next_stream = await db(StreamFactory)(host=stream.host)
    _other_host, other_poll = await open_poll(sockets, next_stream)
    here = await sockets.join(stream, stream.host)

    await here.send("poll.close", poll_id=other_poll["id"])

    await here.expect_error("not_found")


# --- Requests ----------------------------------------------------------------------------


async def test_viewer_submits_a_request_for_everyone(sockets):
    stream = await db(LiveStreamFactory)()
    ana = await db(UserFactory)(username="ana", display_name="Ana")
    author = await sockets.join(stream, ana)
    watcher = await sockets.join(stream)

    await author.send("request.submit", text="Play Lisboa Menina")

    added = await watcher.expect("request.added")
    assert added["seq"] == 1
    request = added["request"]
    assert request["text"] == "Play Lisboa Menina"
    assert request["status"] == "open"
    assert request["upvotes"] == 0
    assert request["you_upvoted"] is False
    assert request["author"] == {"id": ana.pk, "username": "ana", "name": "Ana"}
    assert [r["id"] for r in (await sockets.join(stream)).welcome["requests"]] == [request["id"]]


async def test_viewer_upvotes_someone_elses_request_once(sockets):
    stream = await db(LiveStreamFactory)()
    author = await sockets.join(stream, await db(UserFactory)())
    fan_user = await db(UserFactory)()
    fan = await sockets.join(stream, fan_user)
    await author.send("request.submit", text="Play Lisboa Menina")
    request = (await fan.expect("request.added"))["request"]

    await fan.send("request.upvote", request_id=request["id"])

    updated = await author.expect("request.updated")
    assert updated["request"]["id"] == request["id"]
    assert updated["request"]["upvotes"] == 1
    assert updated["request"]["you_upvoted"] is False
    await fan.send("request.upvote", request_id=request["id"])
    await fan.expect_error("already_upvoted")
    back = await sockets.join(stream, fan_user)
    assert back.welcome["requests"][0]["you_upvoted"] is True


async def test_own_request_cannot_be_upvoted(sockets):
    stream = await db(LiveStreamFactory)()
    author = await sockets.join(stream, await db(UserFactory)())
    await author.send("request.submit", text="Play my song")
    request = (await author.expect("request.added"))["request"]

    await author.send("request.upvote", request_id=request["id"], ref="up")

    await author.expect_error("own_request", ref="up")
    await author.assert_still_open()


async def test_host_resolves_a_request_for_everyone(sockets):
    stream = await db(LiveStreamFactory)()
    author = await sockets.join(stream, await db(UserFactory)())
    host = await sockets.join(stream, stream.host)
    await author.send("request.submit", text="Play Lisboa Menina")
    request = (await host.expect("request.added"))["request"]

    await host.send("request.resolve", request_id=request["id"], status="done")

    updated = await author.expect("request.updated")
    assert updated["request"]["status"] == "done"
    assert (await sockets.join(stream)).welcome["requests"] == []
    await host.send("request.resolve", request_id=request["id"], status="dismissed")
    await host.expect_error("request_closed")


async def test_viewer_cannot_resolve_a_request(sockets):
    stream = await db(LiveStreamFactory)()
    author = await sockets.join(stream, await db(UserFactory)())
    await author.send("request.submit", text="Play my song")
    request = (await author.expect("request.added"))["request"]

    await author.send("request.resolve", request_id=request["id"], status="done")

    await author.expect_error("forbidden")
    await author.assert_still_open()


async def test_request_over_200_characters_is_invalid(sockets):
    stream = await db(LiveStreamFactory)()
    author = await sockets.join(stream, await db(UserFactory)())

    await author.send("request.submit", text="x" * 201)

    await author.expect_error("invalid")
    await author.assert_still_open()
