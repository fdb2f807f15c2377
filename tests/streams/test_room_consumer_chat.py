"""Chat in the live room socket: sending, every reason a message is refused, AutoMod."""

from datetime import timedelta

import pytest
from django.utils import timezone

from halobuzz.users.models import Follow
from streams.models import ChannelModerator
from streams.services import room_moderation
from tests.factories import FollowFactory, UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory
from tests.streams.room_helpers import (
    add_emote,
    automod_loaded,  # noqa: F401
    db,
    fresh_channel_layer,  # noqa: F401
)
from trust import services as trust_services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("automod_loaded", "fresh_channel_layer"),
]

RUDE = "you are a fucking idiot"


async def appoint_moderator(stream, user) -> None:
    await db(ChannelModerator.objects.create)(
        channel=stream.host, moderator=user, appointed_by=stream.host
    )


# --- Sending -------------------------------------------------------------------------------


async def test_chat_send_is_acked_and_reaches_other_viewers(sockets):
    stream = await db(LiveStreamFactory)()
    maya = await db(UserFactory)(username="maya", display_name="Maya")
    sender = await sockets.join(stream, maya)
    watcher = await sockets.join(stream)

    await sender.send("chat.send", body="boa noite", ref="m1")

    own = await sender.expect_each("chat.ack", "chat.message")
    ack = own["chat.ack"]
    assert ack["ref"] == "m1"
    seen = await watcher.expect("chat.message")
    assert seen["seq"] == ack["seq"] == 1
    message = seen["message"]
    assert message["id"] == ack["message_id"]
    assert message["seq"] == 1
    assert message["body"] == "boa noite"
    assert message["mentions"] == []
    assert message["author"] == {"id": maya.pk, "username": "maya", "name": "Maya", "badges": []}
    assert message["created_at"]
    assert own["chat.message"]["message"]["id"] == ack["message_id"]


async def test_host_message_carries_the_host_badge(sockets):
    stream = await db(LiveStreamFactory)()
    host = await sockets.join(stream, stream.host)

    await host.send("chat.send", body="welcome, everyone")

    message = (await host.expect("chat.message"))["message"]
    assert message["author"]["badges"] == [{"kind": "host"}]


async def test_mentioned_username_lands_in_the_message_mentions(sockets):
    stream = await db(LiveStreamFactory)()
    await db(UserFactory)(username="ravi")
    sender = await sockets.join(stream, await db(UserFactory)())

    await sender.send("chat.send", body="@ravi listen to this, @nobody_here")

    message = (await sender.expect("chat.message"))["message"]
    assert message["mentions"] == ["ravi"]
    assert message["body"] == "@ravi listen to this, @nobody_here"


async def test_html_in_a_message_arrives_unchanged_as_text(sockets):
    stream = await db(LiveStreamFactory)()
    sender = await sockets.join(stream, await db(UserFactory)())
    watcher = await sockets.join(stream)
    body = '<b>hi</b> <img src=x onerror="alert(1)"> &amp; <script>alert(2)</script>'

    await sender.send("chat.send", body=body)

    assert (await watcher.expect("chat.message"))["message"]["body"] == body


async def test_chat_send_without_text_is_invalid(sockets):
    stream = await db(LiveStreamFactory)()
    sender = await sockets.join(stream, await db(UserFactory)())

    await sender.send("chat.send", body=42, ref="r")

    await sender.expect_error("invalid", ref="r")
    await sender.assert_still_open()


@pytest.mark.parametrize("body", ["", "   ", "\u200b\u202e"], ids=["empty", "spaces", "invisible"])
async def test_empty_message_is_refused(sockets, body):
    stream = await db(LiveStreamFactory)()
    sender = await sockets.join(stream, await db(UserFactory)())

    await sender.send("chat.send", body=body)

    await sender.expect_error("message_empty")
    await sender.assert_still_open()


async def test_message_over_500_characters_is_too_long(sockets):
    stream = await db(LiveStreamFactory)()
    sender = await sockets.join(stream, await db(UserFactory)())
    watcher = await sockets.join(stream)

    await sender.send("chat.send", body="a" * 501)

    await sender.expect_error("message_too_long")
    await sender.assert_still_open()
    await watcher.expect_nothing("chat.message")


async def test_chat_on_an_ended_stream_is_closed(sockets):
    stream = await db(EndedStreamFactory)()
    sender = await sockets.join(stream, await db(UserFactory)())
    assert sender.welcome["you"]["can_chat"] is False

    await sender.send("chat.send", body="still here?")

    await sender.expect_error("chat_closed")
    await sender.assert_still_open()


# --- Who may chat ----------------------------------------------------------------------------


async def test_site_banned_user_cannot_chat(sockets):
    stream = await db(LiveStreamFactory)()
    staff = await db(UserFactory)(is_staff=True, is_superuser=True)
    spammer = await db(UserFactory)()
    await db(trust_services.ban_user_sitewide)(actor=staff, user=spammer, reason="Spam")
    sender = await sockets.join(stream, spammer)
    watcher = await sockets.join(stream)
    assert sender.welcome["you"]["can_chat"] is False
    assert sender.welcome["you"]["restriction"]["code"] == "site_banned"

    await sender.send("chat.send", body="buy followers here")

    await sender.expect_error("site_banned")
    await sender.assert_still_open()
    await watcher.expect_nothing("chat.message")


async def test_channel_banned_user_cannot_chat(sockets):
    stream = await db(LiveStreamFactory)()
    troll = await db(UserFactory)()
    await db(room_moderation.ban_user)(
        actor=stream.host, stream_id=stream.pk, user_id=troll.pk, reason="Trolling"
    )
    sender = await sockets.join(stream, troll)
    assert sender.welcome["you"]["restriction"] == {
        "code": "channel_banned",
        "until": None,
        "reason": "Trolling",
    }

    await sender.send("chat.send", body="let me back in")

    error = await sender.expect_error("channel_banned")
    assert "retry_after" not in error
    await sender.assert_still_open()


async def test_timed_out_user_is_told_when_to_try_again(sockets):
    stream = await db(LiveStreamFactory)()
    noisy = await db(UserFactory)()
    await db(room_moderation.timeout_user)(
        actor=stream.host, stream_id=stream.pk, user_id=noisy.pk, seconds=600
    )
    sender = await sockets.join(stream, noisy)
    assert sender.welcome["you"]["restriction"]["code"] == "timed_out"

    await sender.send("chat.send", body="hello?")

    error = await sender.expect_error("timed_out")
    assert 590 < error["retry_after"] <= 600
    await sender.assert_still_open()


async def test_sixth_quick_message_is_rate_limited(sockets):
    stream = await db(LiveStreamFactory)()
    sender = await sockets.join(stream, await db(UserFactory)())

    for number in range(6):
        await sender.send("chat.send", body=f"message {number}", ref=str(number))

    for number in range(5):
        assert (await sender.expect("chat.ack"))["ref"] == str(number)
    error = await sender.expect_error("rate_limited", ref="5")
    assert 0 < error["retry_after"] <= 1
    await sender.assert_still_open()


async def test_moderators_are_rate_limited_too(sockets):
    stream = await db(LiveStreamFactory)()
    host = await sockets.join(stream, stream.host)

    for number in range(6):
        await host.send("chat.send", body=f"announcement {number}")

    for _ in range(5):
        await host.expect("chat.ack")
    await host.expect_error("rate_limited")


# --- Chat modes --------------------------------------------------------------------------------


async def test_slow_mode_refuses_a_second_message_too_soon(sockets):
    stream = await db(LiveStreamFactory)()
    await db(room_moderation.set_chat_modes)(
        actor=stream.host, stream_id=stream.pk, slow_mode_seconds=30
    )
    sender = await sockets.join(stream, await db(UserFactory)())

    await sender.send("chat.send", body="first")
    await sender.expect("chat.ack")
    await sender.send("chat.send", body="second")

    error = await sender.expect_error("slow_mode")
    assert 28 < error["retry_after"] <= 30
    await sender.assert_still_open()


async def test_followers_only_refuses_a_viewer_who_does_not_follow(sockets):
    stream = await db(LiveStreamFactory)()
    await db(room_moderation.set_chat_modes)(
        actor=stream.host, stream_id=stream.pk, followers_only_minutes=10
    )
    sender = await sockets.join(stream, await db(UserFactory)())

    await sender.send("chat.send", body="hi")

    await sender.expect_error("followers_only")
    await sender.assert_still_open()


async def test_subscribers_only_refuses_a_viewer_who_does_not_subscribe_with_a_link(sockets):
    stream = await db(LiveStreamFactory)(host__username="maya")
    await db(room_moderation.set_chat_modes)(
        actor=stream.host, stream_id=stream.pk, subscribers_only=True
    )
    sender = await sockets.join(stream, await db(UserFactory)())

    await sender.send("chat.send", body="hi", ref="r1")

    error = await sender.expect_error(
        "subscribers_only", ref="r1", subscribe_url="/@maya/#subscribe"
    )
    assert "retry_after" not in error
    await sender.assert_still_open()


async def test_followers_only_refuses_a_recent_follower_until_long_enough(sockets):
    stream = await db(LiveStreamFactory)()
    fan = await db(UserFactory)()
    await db(FollowFactory)(follower=fan, followee=stream.host)
    await db(room_moderation.set_chat_modes)(
        actor=stream.host, stream_id=stream.pk, followers_only_minutes=10
    )
    sender = await sockets.join(stream, fan)

    await sender.send("chat.send", body="just followed!")
    await sender.expect_error("followers_only")

    await db(Follow.objects.filter(follower=fan).update)(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    await sender.send("chat.send", body="now?")
    await sender.expect("chat.ack")


async def test_emote_only_refuses_words_and_accepts_emotes(sockets):
    stream = await db(LiveStreamFactory)()
    await db(add_emote)(code="saudade")
    await db(room_moderation.set_chat_modes)(
        actor=stream.host, stream_id=stream.pk, emote_only=True
    )
    sender = await sockets.join(stream, await db(UserFactory)())
    assert sender.welcome["modes"]["emote_only"] is True

    await sender.send("chat.send", body="so good :saudade:")
    await sender.expect_error("emote_only")
    await sender.send("chat.send", body=":notanemote:")
    await sender.expect_error("emote_only")
    await sender.send("chat.send", body=":saudade: :saudade:")
    await sender.expect("chat.ack")


async def test_host_and_moderators_are_exempt_from_chat_modes(sockets):
    stream = await db(LiveStreamFactory)()
    moderator = await db(UserFactory)()
    await appoint_moderator(stream, moderator)
    await db(room_moderation.set_chat_modes)(
        actor=stream.host,
        stream_id=stream.pk,
        slow_mode_seconds=60,
        followers_only_minutes=60,
        emote_only=True,
    )
    host = await sockets.join(stream, stream.host)
    mod = await sockets.join(stream, moderator)

    await host.send("chat.send", body="words from the host")
    await host.expect("chat.ack")
    await host.send("chat.send", body="and more words")
    await host.expect("chat.ack")
    await mod.send("chat.send", body="words from a moderator")
    await mod.expect("chat.ack")


# --- Blocked terms and AutoMod -------------------------------------------------------------


async def test_globally_blocked_term_is_refused(sockets):
    stream = await db(LiveStreamFactory)()
    staff = await db(UserFactory)(is_staff=True, is_superuser=True)
    await db(trust_services.add_blocked_term)(term="crypto giveaway", actor=staff)
    sender = await sockets.join(stream, await db(UserFactory)())
    watcher = await sockets.join(stream)

    await sender.send("chat.send", body="FREE Crypto  Giveaway here", ref="spam")

    await sender.expect_error("blocked_term", ref="spam")
    await sender.assert_still_open()
    await watcher.expect_nothing("chat.message")


async def test_channel_blocked_term_is_refused_in_that_channel_only(sockets):
    stream = await db(LiveStreamFactory)()
    elsewhere = await db(LiveStreamFactory)()
    await db(trust_services.add_blocked_term)(
        term="spoiler", channel=stream.host, actor=stream.host
    )
    viewer = await db(UserFactory)()
    here = await sockets.join(stream, viewer)
    there = await sockets.join(elsewhere, viewer)

    await here.send("chat.send", body="big SPOILER ahead")
    await here.expect_error("blocked_term")
    await here.assert_still_open()
    await there.send("chat.send", body="big spoiler ahead")
    await there.expect("chat.ack")


async def test_automod_holds_a_rude_message_for_moderators_until_approved(sockets):
    stream = await db(LiveStreamFactory)()
    moderator = await db(UserFactory)()
    await appoint_moderator(stream, moderator)
    rude = await db(UserFactory)()
    sender = await sockets.join(stream, rude)
    host = await sockets.join(stream, stream.host)
    mod = await sockets.join(stream, moderator)
    viewer = await sockets.join(stream, await db(UserFactory)())

    await sender.send("chat.send", body=RUDE, ref="r")

    pending = await sender.expect("chat.pending")
    assert pending["ref"] == "r"
    held = await mod.expect("automod.held")
    assert held["message"]["id"] == pending["message_id"]
    assert held["message"]["body"] == RUDE
    assert held["score"] >= 0.8
    assert held["reason"] == "profanity_model"
    assert (await host.expect("automod.held"))["message"]["id"] == pending["message_id"]
    await viewer.expect_nothing("automod.held", "chat.message")
    await sender.expect_nothing("automod.held", "chat.message")

    await mod.send("automod.approve", message_id=pending["message_id"])

    delivered = await viewer.expect("chat.message")
    assert delivered["message"]["id"] == pending["message_id"]
    assert delivered["message"]["body"] == RUDE
    assert (await sender.expect("chat.message"))["seq"] == delivered["seq"]
    resolved = await host.expect("automod.resolved")
    assert resolved["message_id"] == pending["message_id"]
    assert resolved["outcome"] == "approved"
    await viewer.expect_nothing("automod.resolved")


async def test_automod_deny_keeps_a_held_message_out_of_the_room(sockets):
    stream = await db(LiveStreamFactory)()
    sender = await sockets.join(stream, await db(UserFactory)())
    host = await sockets.join(stream, stream.host)
    viewer = await sockets.join(stream)
    await sender.send("chat.send", body=RUDE)
    pending = await sender.expect("chat.pending")
    await host.expect("automod.held")

    await host.send("automod.deny", message_id=pending["message_id"])

    resolved = await host.expect("automod.resolved")
    assert resolved == {
        "type": "automod.resolved",
        "v": 1,
        "message_id": pending["message_id"],
        "outcome": "denied",
    }
    await viewer.expect_nothing("chat.message", "automod.resolved")
    await host.send("automod.approve", message_id=pending["message_id"])
    await host.expect_error("not_found")


async def test_moderator_joining_later_sees_the_held_messages(sockets):
    stream = await db(LiveStreamFactory)()
    sender = await sockets.join(stream, await db(UserFactory)())
    await sender.send("chat.send", body=RUDE)
    pending = await sender.expect("chat.pending")

    host = await sockets.join(stream, stream.host)
    viewer = await sockets.join(stream, await db(UserFactory)())

    assert [message["id"] for message in host.welcome["held"]] == [pending["message_id"]]
    assert viewer.welcome["held"] == []
    assert viewer.welcome["messages"] == []


async def test_automod_reject_channel_refuses_a_rude_message(sockets):
    stream = await db(LiveStreamFactory)()
    await db(room_moderation.update_chat_settings)(channel=stream.host, automod_action="reject")
    sender = await sockets.join(stream, await db(UserFactory)())
    host = await sockets.join(stream, stream.host)

    await sender.send("chat.send", body=RUDE)

    await sender.expect_error("automod_rejected")
    await sender.assert_still_open()
    await host.expect_nothing("automod.held", "chat.message")
