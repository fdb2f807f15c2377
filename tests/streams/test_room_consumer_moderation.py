"""Moderating from the live room socket: deleting, clearing, timeouts, bans, chat modes."""

import pytest

from streams.models import ChannelModerator
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_helpers import (
    automod_loaded,  # noqa: F401
    db,
    fresh_channel_layer,  # noqa: F401
    post_messages,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("automod_loaded", "fresh_channel_layer"),
]


async def appoint_moderator(stream, user) -> None:
    await db(ChannelModerator.objects.create)(
        channel=stream.host, moderator=user, appointed_by=stream.host
    )


async def test_moderator_deletes_a_message_for_everyone(sockets):
    stream = await db(LiveStreamFactory)()
    moderator = await db(UserFactory)()
    await appoint_moderator(stream, moderator)
    author = await db(UserFactory)()
    kept, deleted = await db(post_messages)(stream=stream, author=author, bodies=["ok", "spam"])
    mod = await sockets.join(stream, moderator)
    viewer = await sockets.join(stream)

    await mod.send("chat.delete", message_id=deleted.pk)

    frame = await viewer.expect("chat.deleted")
    assert frame["message_id"] == deleted.pk
    assert frame["seq"] == viewer.welcome["seq"] + 1
    later = await sockets.join(stream)
    assert [message["id"] for message in later.welcome["messages"]] == [kept.pk]


async def test_deleting_a_message_of_another_room_is_not_found(sockets):
    stream = await db(LiveStreamFactory)()
    other = await db(LiveStreamFactory)()
    [elsewhere] = await db(post_messages)(
        stream=other, author=await db(UserFactory)(), bodies=["hi"]
    )
    host = await sockets.join(stream, stream.host)

    await host.send("chat.delete", message_id=elsewhere.pk)

    await host.expect_error("not_found")
    await host.assert_still_open()


async def test_moderator_clears_the_chat_for_everyone(sockets):
    stream = await db(LiveStreamFactory)()
    await db(post_messages)(stream=stream, author=await db(UserFactory)(), bodies=["a", "b"])
    host = await sockets.join(stream, stream.host)
    viewer = await sockets.join(stream)

    await host.send("chat.clear")

    cleared = await viewer.expect("chat.cleared")
    assert cleared["seq"] == 3
    assert (await sockets.join(stream)).welcome["messages"] == []


async def test_timed_out_users_messages_disappear_for_everyone(sockets):
    stream = await db(LiveStreamFactory)()
    moderator = await db(UserFactory)()
    await appoint_moderator(stream, moderator)
    noisy = await db(UserFactory)()
    bystander = await db(UserFactory)()
    await db(post_messages)(stream=stream, author=noisy, bodies=["LOUD", "LOUDER"])
    [calm] = await db(post_messages)(stream=stream, author=bystander, bodies=["hello"])
    mod = await sockets.join(stream, moderator)
    target_tab = await sockets.join(stream, noisy)
    target_other_tab = await sockets.join(stream, noisy)
    viewer = await sockets.join(stream, bystander)

    await mod.send("chat.timeout", user_id=noisy.pk, seconds=600, reason="Caps")

    purged = await viewer.expect("chat.user_purged")
    assert purged["user_id"] == noisy.pk
    assert purged["seq"] == 4
    for tab in (target_tab, target_other_tab):
        restricted = await tab.expect("user.restricted")
        assert restricted["code"] == "timed_out"
        assert restricted["reason"] == "Caps"
        assert restricted["until"]
    await viewer.expect_nothing("user.restricted")
    await target_tab.send("chat.send", body="why?")
    await target_tab.expect_error("timed_out")
    later = await sockets.join(stream)
    assert [message["id"] for message in later.welcome["messages"]] == [calm.pk]


@pytest.mark.parametrize("seconds", [59, 24 * 60 * 60 + 1, "ten"])
async def test_timeout_outside_one_minute_to_a_day_is_invalid(sockets, seconds):
    stream = await db(LiveStreamFactory)()
    target = await db(UserFactory)()
    host = await sockets.join(stream, stream.host)

    await host.send("chat.timeout", user_id=target.pk, seconds=seconds)

    await host.expect_error("invalid")
    await host.assert_still_open()


async def test_moderator_bans_a_user_with_no_end(sockets):
    stream = await db(LiveStreamFactory)()
    troll = await db(UserFactory)()
    await db(post_messages)(stream=stream, author=troll, bodies=["bait"])
    host = await sockets.join(stream, stream.host)
    target = await sockets.join(stream, troll)
    viewer = await sockets.join(stream)

    await host.send("chat.ban", user_id=troll.pk, reason="Trolling")

    assert (await viewer.expect("chat.user_purged"))["user_id"] == troll.pk
    restricted = await target.expect("user.restricted")
    assert restricted == {
        "type": "user.restricted",
        "v": 1,
        "code": "channel_banned",
        "until": None,
        "reason": "Trolling",
    }
    await target.send("chat.send", body="hello?")
    await target.expect_error("channel_banned")


async def test_unban_tells_the_user_they_may_chat_again(sockets):
    stream = await db(LiveStreamFactory)()
    troll = await db(UserFactory)()
    host = await sockets.join(stream, stream.host)
    target = await sockets.join(stream, troll)
    await host.send("chat.ban", user_id=troll.pk)
    await target.expect("user.restricted", code="channel_banned")

    await host.send("chat.unban", user_id=troll.pk)

    lifted = await target.expect("user.restricted")
    assert lifted["code"] is None
    assert lifted["until"] is None
    await target.send("chat.send", body="thanks, I'll behave")
    await target.expect("chat.ack")


async def test_moderator_cannot_time_out_the_host(sockets):
    stream = await db(LiveStreamFactory)()
    moderator = await db(UserFactory)()
    await appoint_moderator(stream, moderator)
    mod = await sockets.join(stream, moderator)

    await mod.send("chat.timeout", user_id=stream.host_id, seconds=600)

    await mod.expect_error("forbidden")
    await mod.assert_still_open()


async def test_setting_chat_modes_reaches_everyone(sockets):
    stream = await db(LiveStreamFactory)()
    host = await sockets.join(stream, stream.host)
    viewer = await sockets.join(stream)

    await host.send("room.set_modes", slow_mode_seconds=30, followers_only_minutes=10)

    modes = await viewer.expect("room.modes")
    assert modes["seq"] == 1
    assert modes["modes"] == {
        "slow_mode_seconds": 30,
        "followers_only_minutes": 10,
        "emote_only": False,
        "subscribers_only": False,
    }
    await host.send("room.set_modes", followers_only_minutes=None, emote_only=True)
    assert (await viewer.expect("room.modes"))["modes"] == {
        "slow_mode_seconds": 30,
        "followers_only_minutes": None,
        "emote_only": True,
        "subscribers_only": False,
    }
    assert (await sockets.join(stream)).welcome["modes"]["emote_only"] is True


async def test_a_moderator_turns_subscribers_only_on_and_off_for_everyone(sockets):
    stream = await db(LiveStreamFactory)()
    moderator = await db(UserFactory)()
    await appoint_moderator(stream, moderator)
    mod = await sockets.join(stream, moderator)
    viewer = await sockets.join(stream, await db(UserFactory)())

    await mod.send("room.set_modes", subscribers_only=True)

    for socket in (viewer, mod):
        modes = await socket.expect("room.modes")
        assert modes["modes"] == {
            "slow_mode_seconds": 0,
            "followers_only_minutes": None,
            "emote_only": False,
            "subscribers_only": True,
        }
    assert (await sockets.join(stream)).welcome["modes"]["subscribers_only"] is True
    await viewer.send("chat.send", body="hi")
    await viewer.expect_error(
        "subscribers_only", subscribe_url=f"/@{stream.host.username}/#subscribe"
    )
    await mod.send("chat.send", body="moderators still chat")
    await mod.expect("chat.ack")

    await mod.send("room.set_modes", subscribers_only=False)

    assert (await viewer.expect("room.modes"))["modes"]["subscribers_only"] is False
    await viewer.send("chat.send", body="hi again")
    await viewer.expect("chat.ack")


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"slow_mode_seconds": -1},
        {"slow_mode_seconds": 601},
        {"emote_only": "yes"},
        {"subscribers_only": "yes"},
    ],
    ids=["nothing", "negative", "too_slow", "not_boolean", "subscribers_not_boolean"],
)
async def test_invalid_chat_modes_are_refused(sockets, fields):
    stream = await db(LiveStreamFactory)()
    host = await sockets.join(stream, stream.host)

    await host.send("room.set_modes", **fields)

    await host.expect_error("invalid")
    await host.assert_still_open()


@pytest.mark.parametrize(
    ("frame_type", "fields"),
    [
        ("chat.delete", {"message_id": "MESSAGE"}),
        ("chat.clear", {}),
        ("chat.timeout", {"user_id": "AUTHOR", "seconds": 600}),
        ("chat.ban", {"user_id": "AUTHOR"}),
        ("chat.unban", {"user_id": "AUTHOR"}),
        ("room.set_modes", {"emote_only": True}),
        ("automod.approve", {"message_id": "MESSAGE"}),
        ("automod.deny", {"message_id": "MESSAGE"}),
        ("presence.list", {}),
    ],
)
async def test_moderator_action_by_an_ordinary_viewer_is_forbidden(sockets, frame_type, fields):
    stream = await db(LiveStreamFactory)()
    author = await db(UserFactory)()
    [message] = await db(post_messages)(stream=stream, author=author, bodies=["hi"])
    ids = {"MESSAGE": message.pk, "AUTHOR": author.pk}
    meddler = await sockets.join(stream, await db(UserFactory)())
    watcher = await sockets.join(stream)

    await meddler.send(frame_type, ref="x", **{k: ids.get(v, v) for k, v in fields.items()})

    await meddler.expect_error("forbidden", ref="x")
    await meddler.assert_still_open()
    await watcher.expect_nothing(
        "chat.deleted", "chat.cleared", "chat.user_purged", "room.modes", "chat.message"
    )
