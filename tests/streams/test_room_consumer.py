"""The live room socket: joining, frames the server refuses, resuming and presence.

Chat, moderation and engagement (reactions, polls, requests) have their own modules
(`test_room_consumer_*.py`); the helpers are in `room_helpers.py`.
"""

import asyncio
import json

import pytest

from streams.models import ChannelModerator
from streams.services import chat
from tests.factories import FollowFactory, UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_helpers import (
    MOMENTARY,
    REPLAYABLE_TYPES,
    add_emote,
    automod_loaded,  # noqa: F401
    closed_by_server,
    db,
    fill_chat,
    fresh_channel_layer,  # noqa: F401
    post_messages,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("automod_loaded", "fresh_channel_layer"),
]


@pytest.fixture
def fast_presence(settings):
    settings.ROOM_PRESENCE_BROADCAST_SECONDS = 0.2
    return settings


# --- Joining -----------------------------------------------------------------------------


async def test_visitor_is_welcomed_with_the_last_50_messages_oldest_first(sockets):
    stream = await db(LiveStreamFactory)(title="Saturday fado")
    author = await db(UserFactory)()
    await db(add_emote)(code="saudade")
    await db(fill_chat)(
        stream=stream, author=author, bodies=[f"message {number}" for number in range(1, 61)]
    )

    visitor = await sockets.join(stream)

    welcome = visitor.welcome
    assert welcome["v"] == 1
    assert welcome["seq"] == 60
    assert welcome["resumed"] is False
    assert welcome["you"] is None
    assert welcome["stream"] == {"id": stream.pk, "status": "live", "title": "Saturday fado"}
    assert [message["body"] for message in welcome["messages"]] == [
        f"message {number}" for number in range(11, 61)
    ]
    assert [message["seq"] for message in welcome["messages"]] == list(range(11, 61))
    first = welcome["messages"][0]
    assert first["author"]["id"] == author.pk
    assert first["author"]["username"] == author.username
    assert first["author"]["badges"] == []
    assert welcome["modes"] == {
        "slow_mode_seconds": 0,
        "followers_only_minutes": None,
        "emote_only": False,
        "subscribers_only": False,
    }
    assert {"code": "saudade", "name": "Saudade", "url": "/static/streams/emotes/saudade.svg"} in (
        welcome["emotes"]
    )
    assert welcome["reactions"] == ["heart", "fire", "laugh", "clap", "wow", "party"]
    assert welcome["viewers"] == {"count": 0, "peak": 0}
    assert welcome["poll"] is None
    assert welcome["requests"] == []
    assert welcome["held"] == []


async def test_signed_in_viewer_is_welcomed_as_someone_who_can_chat(sockets):
    stream = await db(LiveStreamFactory)()
    viewer = await db(UserFactory)(username="ravi", display_name="Ravi")

    client = await sockets.join(stream, viewer)

    assert client.welcome["you"] == {
        "id": viewer.pk,
        "username": "ravi",
        "name": "Ravi",
        "roles": [],
        "can_chat": True,
        "restriction": None,
    }


async def test_host_and_moderator_are_welcomed_with_their_roles(sockets):
    stream = await db(LiveStreamFactory)()
    moderator = await db(UserFactory)()
    await db(ChannelModerator.objects.create)(
        channel=stream.host, moderator=moderator, appointed_by=stream.host
    )

    host = await sockets.join(stream, stream.host)
    mod = await sockets.join(stream, moderator)

    assert host.welcome["you"]["roles"] == ["host"]
    assert mod.welcome["you"]["roles"] == ["moderator"]


async def test_unknown_stream_closes_with_4404(sockets):
    communicator = await sockets.open(999_999)

    await closed_by_server(communicator, 4404)


# --- Frames the server refuses -------------------------------------------------------------


async def test_ping_gets_pong_echoing_its_ref(sockets):
    stream = await db(LiveStreamFactory)()
    visitor = await sockets.join(stream)

    await visitor.send("ping", ref="abc")

    assert await visitor.receive() == {"type": "pong", "v": 1, "ref": "abc"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("{not json", "malformed", id="malformed_json"),
        pytest.param("[1, 2, 3]", "malformed", id="non_object_json"),
        pytest.param('"chat.send"', "malformed", id="json_string"),
        pytest.param('{"body": "hi"}', "malformed", id="no_type"),
        pytest.param('{"type": "chat.shout"}', "unknown_type", id="unknown_type"),
        pytest.param('{"type": "ping", "ref": 12}', "invalid", id="ref_not_a_string"),
        pytest.param(json.dumps({"type": "ping", "ref": "x" * 41}), "invalid", id="ref_too_long"),
        pytest.param(
            json.dumps({"type": "chat.send", "body": "x" * 4100}), "frame_too_large", id="oversize"
        ),
    ],
)
async def test_bad_frame_gets_an_error_and_the_socket_stays_open(sockets, text, code):
    stream = await db(LiveStreamFactory)()
    viewer = await sockets.join(stream, await db(UserFactory)())

    await viewer.send_text(text)

    await viewer.expect_error(code)
    await viewer.assert_still_open()


async def test_frame_of_multibyte_text_over_4_kb_is_too_large(sockets):
    stream = await db(LiveStreamFactory)()
    viewer = await sockets.join(stream, await db(UserFactory)())

    # 1,500 characters, 4,500 bytes.
    await viewer.send("chat.send", body="ã" * 1500)

    await viewer.expect_error("frame_too_large")
    await viewer.assert_still_open()


async def test_binary_frame_is_malformed_and_the_socket_stays_open(sockets):
    stream = await db(LiveStreamFactory)()
    viewer = await sockets.join(stream)

    await viewer.send_bytes(b'{"type": "ping"}')

    await viewer.expect_error("malformed")
    await viewer.assert_still_open()


async def test_unknown_type_echoes_the_ref(sockets):
    stream = await db(LiveStreamFactory)()
    viewer = await sockets.join(stream)

    await viewer.send("chat.shout", ref="r1")

    await viewer.expect_error("unknown_type", ref="r1")


async def test_more_than_40_frames_in_a_burst_are_refused_as_flood(sockets):
    stream = await db(LiveStreamFactory)()
    flooder = await sockets.join(stream)
    bystander = await sockets.join(stream)

    for number in range(60):
        await flooder.send("ping", ref=str(number))

    frames = [await flooder.receive() for _ in range(60)]
    pongs = [frame for frame in frames if frame["type"] == "pong"]
    floods = [frame for frame in frames if frame["type"] == "error"]
    assert 40 <= len(pongs) < 60
    assert len(pongs) + len(floods) == 60
    assert {frame["code"] for frame in floods} == {"flood"}
    assert all(0 < frame["retry_after"] <= 1 for frame in floods)
    # The bucket refills at 20 frames a second; other viewers never noticed.
    await bystander.assert_still_open()
    await asyncio.sleep(0.1)
    await flooder.assert_still_open()


async def test_visitor_may_ping_and_resume_but_not_send(sockets):
    stream = await db(LiveStreamFactory)()
    visitor = await sockets.join(stream)

    await visitor.send("chat.send", body="hello", ref="r1")
    await visitor.expect_error("not_signed_in", ref="r1")
    await visitor.send("reaction.send", kind="heart")
    await visitor.expect_error("not_signed_in")
    await visitor.send("room.resume", last_seq=0)
    assert (await visitor.expect("room.welcome"))["resumed"] is True
    await visitor.assert_still_open()


# --- Resuming ----------------------------------------------------------------------------


async def test_reconnect_with_last_seq_replays_exactly_the_missed_events(sockets, settings):
    settings.CHAT_MESSAGE_BURST = 100
    stream = await db(LiveStreamFactory)()
    author = await db(UserFactory)()
    viewer = await db(UserFactory)()
    client = await sockets.join(stream, viewer)
    posted = await db(post_messages)(stream=stream, author=author, bodies=["one", "two", "three"])
    for message in posted:
        await client.expect("chat.message", seq=message.seq)
    last_seq = posted[-1].seq
    await client.leave()

    await db(post_messages)(stream=stream, author=author, bodies=["four", "five"])
    await db(chat.delete_chat_message)(
        actor=stream.host, stream_id=stream.pk, message_id=posted[0].pk
    )
    await db(post_messages)(stream=stream, author=author, bodies=["six"])

    back = await sockets.join(stream, viewer, last_seq=last_seq)
    assert back.welcome["resumed"] is True
    assert back.welcome["seq"] == last_seq + 4
    assert back.welcome["messages"] == []
    replayed = [await back.receive() for _ in range(4)]
    assert [frame["seq"] for frame in replayed] == [
        last_seq + 1,
        last_seq + 2,
        last_seq + 3,
        last_seq + 4,
    ]
    assert [frame["type"] for frame in replayed] == [
        "chat.message",
        "chat.message",
        "chat.deleted",
        "chat.message",
    ]
    assert [replayed[0]["message"]["body"], replayed[1]["message"]["body"]] == ["four", "five"]
    assert replayed[2]["message_id"] == posted[0].pk
    assert replayed[3]["message"]["body"] == "six"
    await back.expect_nothing(*REPLAYABLE_TYPES)


async def test_room_resume_on_an_open_socket_replays_what_came_after_last_seq(sockets):
    stream = await db(LiveStreamFactory)()
    author = await db(UserFactory)()
    viewer = await sockets.join(stream)
    posted = await db(post_messages)(stream=stream, author=author, bodies=["a", "b", "c"])
    live = [await viewer.expect("chat.message", seq=message.seq) for message in posted]

    await viewer.send("room.resume", last_seq=posted[0].seq, ref="gap")

    welcome = await viewer.expect("room.welcome")
    assert welcome["resumed"] is True
    assert welcome["seq"] == posted[-1].seq
    assert welcome["messages"] == []
    assert [await viewer.receive(), await viewer.receive()] == live[1:]
    await viewer.expect_nothing(*REPLAYABLE_TYPES)


async def test_resume_from_too_far_back_gets_a_full_welcome(sockets, settings):
    settings.ROOM_REPLAY_MAX_EVENTS = 3
    stream = await db(LiveStreamFactory)()
    author = await db(UserFactory)()
    await db(post_messages)(stream=stream, author=author, bodies=["1", "2", "3", "4", "5"])

    client = await sockets.join(stream, last_seq=1)

    assert client.welcome["resumed"] is False
    assert [message["body"] for message in client.welcome["messages"]] == ["1", "2", "3", "4", "5"]
    await client.expect_nothing(*REPLAYABLE_TYPES)


@pytest.mark.parametrize("last_seq", ["abc", "-1", "99", ""])
async def test_resume_from_an_invalid_last_seq_gets_a_full_welcome(sockets, last_seq):
    stream = await db(LiveStreamFactory)()
    author = await db(UserFactory)()
    await db(post_messages)(stream=stream, author=author, bodies=["1", "2"])

    client = await sockets.join(stream, query=f"last_seq={last_seq}")

    assert client.welcome["resumed"] is False
    assert [message["body"] for message in client.welcome["messages"]] == ["1", "2"]
    await client.expect_nothing(*REPLAYABLE_TYPES)


async def test_room_resume_without_a_number_is_invalid(sockets):
    stream = await db(LiveStreamFactory)()
    client = await sockets.join(stream)

    await client.send("room.resume", last_seq="7")

    await client.expect_error("invalid")
    await client.assert_still_open()


# --- Presence ----------------------------------------------------------------------------


async def test_viewer_count_counts_users_once_and_anonymous_sockets_but_not_the_host(
    sockets, fast_presence
):
    stream = await db(LiveStreamFactory)()
    viewer = await db(UserFactory)()

    host = await sockets.join(stream, stream.host)
    await sockets.join(stream, viewer)
    await sockets.join(stream, viewer)
    visitor = await sockets.join(stream)

    count = await host.expect("presence.count", count=2)
    assert count == {"type": "presence.count", "v": 1, "count": 2, "peak": 2}
    await visitor.leave()
    assert (await host.expect("presence.count", count=1))["peak"] == 2


async def test_presence_list_shows_the_host_who_is_here(sockets):
    stream = await db(LiveStreamFactory)()
    viewer = await db(UserFactory)(username="ana", display_name="Ana")
    host = await sockets.join(stream, stream.host)
    await sockets.join(stream, viewer)
    await sockets.join(stream, viewer)
    await sockets.join(stream)

    await host.send("presence.list", ref="who")

    listing = await host.expect("presence.list")
    assert listing == {
        "type": "presence.list",
        "v": 1,
        "ref": "who",
        "count": 2,
        "anonymous": 1,
        "viewers": [{"id": viewer.pk, "username": "ana", "name": "Ana"}],
    }


async def test_follower_in_the_room_is_told_when_the_followed_user_comes_and_goes(sockets):
    stream = await db(LiveStreamFactory)()
    follower = await db(UserFactory)()
    followed = await db(UserFactory)(username="maya", display_name="Maya")
    stranger = await db(UserFactory)()
    await db(FollowFactory)(follower=follower, followee=followed)
    watching = await sockets.join(stream, follower)
    unrelated = await sockets.join(stream, stranger)

    first_tab = await sockets.join(stream, followed)
    joined = await watching.expect("presence.joined")
    assert joined["user"] == {"id": followed.pk, "username": "maya", "name": "Maya"}
    second_tab = await sockets.join(stream, followed)
    await watching.expect_nothing("presence.joined")
    await unrelated.expect_nothing("presence.joined")

    # Closing one of two tabs is not leaving.
    await second_tab.leave()
    await watching.expect_nothing("presence.left")
    await first_tab.leave()
    left = await watching.expect("presence.left")
    assert left["user"]["id"] == followed.pk


async def test_presence_frames_are_momentary_without_seq(sockets, fast_presence):
    stream = await db(LiveStreamFactory)()
    client = await sockets.join(stream)

    count = await client.expect("presence.count")

    assert "seq" not in count
    assert count["type"] in MOMENTARY
