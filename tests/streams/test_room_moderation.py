"""Moderating a channel's chat: timeouts, bans and unbans, chat modes, and who the
moderators are. Every action writes exactly one ModerationAction."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from streams import events
from streams.models import (
    ChannelBan,
    ChannelModerator,
    ChatMessage,
    ChatSettings,
    RegionalModerator,
    RoomEvent,
)
from streams.selectors.room import get_room_roles
from streams.services.chat import post_chat_message
from streams.services.room_moderation import (
    appoint_moderator,
    appoint_regional_moderator,
    ban_user,
    remove_moderator,
    set_chat_modes,
    timeout_user,
    unban_user,
    update_chat_settings,
)
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory, StreamFactory
from tests.streams.room_factories import (
    ChannelModeratorFactory,
    ChatMessageFactory,
    refused,
)
from trust.models import ModerationAction

pytestmark = pytest.mark.django_db


def only_action() -> ModerationAction:
    """The one ModerationAction written (fails if there are none or several)."""
    [action] = ModerationAction.objects.all()
    return action


# --- Timeouts --------------------------------------------------------------------------


def test_a_timeout_keeps_the_user_out_purges_their_messages_and_tells_them(
    stream, host, moderator, viewer, broadcasts, django_capture_on_commit_callbacks
):
    theirs = ChatMessageFactory.create_batch(2, stream=stream, author=viewer)
    others = ChatMessageFactory(stream=stream)

    with django_capture_on_commit_callbacks(execute=True):
        ban = timeout_user(
            actor=moderator, stream_id=stream.pk, user_id=viewer.pk, seconds=600, reason="caps"
        )

    assert ban.channel == host and ban.user == viewer and ban.created_by == moderator
    assert timedelta(seconds=599) < ban.expires_at - timezone.now() <= timedelta(seconds=600)
    assert set(
        ChatMessage.objects.filter(pk__in=[m.pk for m in theirs]).values_list("status", flat=True)
    ) == {ChatMessage.Status.DELETED}
    others.refresh_from_db()
    assert others.status == ChatMessage.Status.VISIBLE
    [purged] = broadcasts.to(events.room_group(stream.pk))
    assert purged["type"] == "chat.user_purged" and purged["user_id"] == viewer.pk
    assert purged["seq"] == 4
    [told] = broadcasts.to(events.user_group(stream.pk, viewer.pk))
    assert told == events.build_frame(
        "user.restricted", code="timed_out", until=ban.expires_at.isoformat(), reason="caps"
    )
    action = only_action()
    assert action.kind == ModerationAction.Kind.TIMEOUT
    assert (action.actor, action.target_user, action.channel, action.stream) == (
        moderator,
        viewer,
        host,
        stream,
    )
    assert action.details == {"seconds": 600} and action.reason == "caps"
    with refused("timed_out"):
        post_chat_message(stream_id=stream.pk, author=viewer, body="let me back")


@pytest.mark.parametrize("seconds", [60, 24 * 60 * 60, "120"])
def test_a_timeout_lasts_from_one_minute_to_a_day(stream, moderator, viewer, seconds):
    ban = timeout_user(actor=moderator, stream_id=stream.pk, user_id=viewer.pk, seconds=seconds)

    assert ban.expires_at is not None
    assert only_action().details == {"seconds": int(seconds)}


@pytest.mark.parametrize("seconds", [59, 24 * 60 * 60 + 1, 0, -60, None, "soon"])
def test_a_timeout_outside_one_minute_to_a_day_is_refused(stream, moderator, viewer, seconds):
    with refused("invalid"):
        timeout_user(actor=moderator, stream_id=stream.pk, user_id=viewer.pk, seconds=seconds)

    assert not ChannelBan.objects.exists()
    assert not ModerationAction.objects.exists()


# --- Bans ------------------------------------------------------------------------------


def test_a_ban_has_no_end(stream, host, viewer, broadcasts, django_capture_on_commit_callbacks):
    ChatMessageFactory(stream=stream, author=viewer)

    with django_capture_on_commit_callbacks(execute=True):
        ban = ban_user(actor=host, stream_id=stream.pk, user_id=viewer.pk, reason="abuse")

    assert ban.expires_at is None
    assert broadcasts.types(events.room_group(stream.pk)) == ["chat.user_purged"]
    assert broadcasts.to(events.user_group(stream.pk, viewer.pk)) == [
        events.build_frame("user.restricted", code="channel_banned", until=None, reason="abuse")
    ]
    action = only_action()
    assert action.kind == ModerationAction.Kind.BAN and action.details == {}
    with refused("channel_banned"):
        post_chat_message(stream_id=stream.pk, author=viewer, body="hello?")
    # The ban belongs to the channel: the host's next stream keeps it.
    with refused("channel_banned"):
        post_chat_message(stream_id=StreamFactory(host=host).pk, author=viewer, body="hi")


def test_a_long_reason_is_cut_to_fit(stream, host, viewer):
    ban = ban_user(actor=host, stream_id=stream.pk, user_id=viewer.pk, reason="x" * 300)

    assert len(ban.reason) == 200


def test_moderators_cannot_time_out_or_ban_the_host(stream, host, moderator):
    with refused("forbidden"):
        ban_user(actor=moderator, stream_id=stream.pk, user_id=host.pk)
    with refused("forbidden"):
        timeout_user(actor=moderator, stream_id=stream.pk, user_id=host.pk, seconds=60)

    assert not ChannelBan.objects.exists()
    assert not ModerationAction.objects.exists()


def test_nobody_in_the_room_can_ban_staff(stream, host, moderator):
    staff = UserFactory(is_staff=True)

    for actor in (moderator, host):
        with refused("forbidden"):
            ban_user(actor=actor, stream_id=stream.pk, user_id=staff.pk)
    assert not ChannelBan.objects.exists()


def test_only_the_host_can_ban_a_moderator(stream, host, moderator):
    other_moderator = ChannelModeratorFactory(channel=host).moderator

    with refused("forbidden"):
        ban_user(actor=other_moderator, stream_id=stream.pk, user_id=moderator.pk)
    with refused("forbidden"):
        timeout_user(actor=other_moderator, stream_id=stream.pk, user_id=moderator.pk, seconds=60)
    assert not ChannelBan.objects.exists()

    ban_user(actor=host, stream_id=stream.pk, user_id=moderator.pk)

    assert only_action().kind == ModerationAction.Kind.BAN


def test_a_regional_moderator_is_a_moderator_only_the_host_can_ban():
    stream = LiveStreamFactory(host__country="BR", language="pt")
    host = stream.host
    regional = RegionalModerator.objects.create(
        moderator=UserFactory(), region=RegionalModerator.Region.BRAZIL
    ).moderator
    channel_moderator = ChannelModeratorFactory(channel=host).moderator

    with refused("forbidden"):
        ban_user(actor=channel_moderator, stream_id=stream.pk, user_id=regional.pk)
    ban_user(actor=host, stream_id=stream.pk, user_id=regional.pk)


def test_a_viewer_cannot_time_out_or_ban(stream, viewer):
    target = UserFactory()

    with refused("forbidden"):
        timeout_user(actor=viewer, stream_id=stream.pk, user_id=target.pk, seconds=60)
    with refused("forbidden"):
        ban_user(actor=viewer, stream_id=stream.pk, user_id=target.pk)
    with refused("forbidden"):
        unban_user(actor=viewer, stream_id=stream.pk, user_id=target.pk)


def test_nobody_bans_themselves(stream, moderator):
    with refused("invalid"):
        ban_user(actor=moderator, stream_id=stream.pk, user_id=moderator.pk)
    assert not ChannelBan.objects.exists()


def test_banning_someone_unknown_is_not_found(stream, host):
    for user_id in (999999, "abc", None):
        with refused("not_found"):
            ban_user(actor=host, stream_id=stream.pk, user_id=user_id)


# --- Unbanning -------------------------------------------------------------------------


def test_unbanning_lifts_bans_and_timeouts_and_tells_the_user(
    stream, host, moderator, viewer, broadcasts, django_capture_on_commit_callbacks
):
    ban_user(actor=host, stream_id=stream.pk, user_id=viewer.pk)
    timeout_user(actor=host, stream_id=stream.pk, user_id=viewer.pk, seconds=600)
    ModerationAction.objects.all().delete()
    broadcasts.clear()

    with django_capture_on_commit_callbacks(execute=True):
        lifted = unban_user(actor=moderator, stream_id=stream.pk, user_id=viewer.pk)

    assert lifted == 2
    assert not ChannelBan.objects.filter(lifted_at__isnull=True).exists()
    assert set(ChannelBan.objects.values_list("lifted_by", flat=True)) == {moderator.pk}
    assert broadcasts.sent == [
        (
            events.user_group(stream.pk, viewer.pk),
            events.build_frame("user.restricted", code=None, until=None, reason=""),
        )
    ]
    action = only_action()
    assert action.kind == ModerationAction.Kind.UNBAN
    assert (action.actor, action.target_user) == (moderator, viewer)
    assert post_chat_message(stream_id=stream.pk, author=viewer, body="thanks").held is False


def test_unbanning_someone_who_is_not_banned_does_nothing(stream, host, viewer, broadcasts):
    assert unban_user(actor=host, stream_id=stream.pk, user_id=viewer.pk) == 0

    assert not ModerationAction.objects.exists()
    assert broadcasts.sent == []


# --- Chat modes ------------------------------------------------------------------------


def test_a_moderator_changes_chat_modes_from_the_room(
    stream, host, moderator, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        saved = set_chat_modes(
            actor=moderator, stream_id=stream.pk, slow_mode_seconds=30, followers_only_minutes=10
        )

    assert (saved.slow_mode_seconds, saved.followers_only_minutes, saved.emote_only) == (
        30,
        10,
        False,
    )
    [frame] = broadcasts.to(events.room_group(stream.pk))
    assert frame["type"] == "room.modes" and frame["seq"] == 1
    assert frame["modes"] == {
        "slow_mode_seconds": 30,
        "followers_only_minutes": 10,
        "emote_only": False,
        "subscribers_only": False,
    }
    action = only_action()
    assert action.kind == ModerationAction.Kind.CHANGE_MODES
    assert action.actor == moderator and action.channel == host
    assert action.details == {"slow_mode_seconds": 30, "followers_only_minutes": 10}


def test_modes_change_one_at_a_time_and_null_turns_followers_only_off(stream, host):
    set_chat_modes(actor=host, stream_id=stream.pk, followers_only_minutes=10, emote_only=True)

    saved = set_chat_modes(actor=host, stream_id=stream.pk, followers_only_minutes=None)

    assert saved.followers_only_minutes is None
    assert saved.emote_only is True
    assert ModerationAction.objects.count() == 2


def test_modes_reach_every_open_room_of_the_channel(stream, host):
    scheduled = StreamFactory(host=host)
    ended = EndedStreamFactory(host=host)

    set_chat_modes(actor=host, stream_id=stream.pk, emote_only=True)

    assert set(RoomEvent.objects.values_list("stream_id", flat=True)) == {stream.pk, scheduled.pk}
    assert not RoomEvent.objects.filter(stream=ended).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"slow_mode_seconds": 601},
        {"slow_mode_seconds": -1},
        {"slow_mode_seconds": "30"},
        {"slow_mode_seconds": True},
        {"followers_only_minutes": 60 * 24 * 90 + 1},
        {"followers_only_minutes": 1.5},
        {"emote_only": "yes"},
        {"emote_only": 1},
        {"subscribers_only": "yes"},
        {"subscribers_only": 1},
    ],
)
def test_invalid_chat_modes_are_refused(stream, host, changes):
    with refused("invalid"):
        set_chat_modes(actor=host, stream_id=stream.pk, **changes)

    assert not ChatSettings.objects.exists()
    assert not ModerationAction.objects.exists()


def test_a_viewer_cannot_change_chat_modes(stream, viewer):
    with refused("forbidden"):
        set_chat_modes(actor=viewer, stream_id=stream.pk, emote_only=True)


def test_the_settings_page_announces_mode_changes_but_not_automod_changes(stream, host):
    update_chat_settings(channel=host, automod_threshold=0.6, automod_action="reject")
    assert not RoomEvent.objects.exists()

    saved = update_chat_settings(channel=host, slow_mode_seconds=5)

    assert saved.slow_mode_seconds == 5 and saved.automod_threshold == 0.6
    [event] = RoomEvent.objects.all()
    assert event.frame["type"] == "room.modes"
    assert event.frame["modes"]["slow_mode_seconds"] == 5


def test_the_settings_page_refuses_values_out_of_range(host):
    with pytest.raises(ValidationError):
        update_chat_settings(channel=host, automod_threshold=0.01)
    with pytest.raises(ValidationError):
        update_chat_settings(channel=host, slow_mode_seconds=601)


# --- Moderators ------------------------------------------------------------------------


def test_the_host_appoints_a_moderator_by_username(stream, host):
    person = UserFactory(username="Ana_Mod")

    appointment = appoint_moderator(channel=host, username=" @ana_mod ")

    assert appointment.moderator == person and appointment.appointed_by == host
    assert get_room_roles(user=person, stream=stream) == {"moderator"}
    action = only_action()
    assert action.kind == ModerationAction.Kind.ADD_MODERATOR
    assert (action.actor, action.target_user, action.channel) == (host, person, host)


def test_appointing_a_moderator_twice_is_refused(host):
    person = UserFactory()
    appoint_moderator(channel=host, username=person.username)

    with refused("already_moderator"):
        appoint_moderator(channel=host, username=person.username)

    assert ChannelModerator.objects.count() == 1
    assert ModerationAction.objects.count() == 1


@pytest.mark.parametrize("who", ["nobody_by_that_name", "inactive", "self"])
def test_appointing_an_unknown_inactive_or_own_account_is_refused(host, who):
    username = {
        "nobody_by_that_name": "nobody_by_that_name",
        "inactive": UserFactory(is_active=False).username,
        "self": host.username,
    }[who]

    with refused("invalid"):
        appoint_moderator(channel=host, username=username)
    assert not ModerationAction.objects.exists()


def test_the_host_removes_a_moderator(stream, host, moderator):
    remove_moderator(channel=host, moderator_id=moderator.pk)

    assert get_room_roles(user=moderator, stream=stream) == frozenset()
    action = only_action()
    assert action.kind == ModerationAction.Kind.REMOVE_MODERATOR
    assert action.target_user == moderator


def test_removing_someone_who_is_not_a_moderator_is_not_found(host, viewer):
    with refused("not_found"):
        remove_moderator(channel=host, moderator_id=viewer.pk)
    assert not ModerationAction.objects.exists()


def test_staff_appoint_a_regional_moderator_once(host):
    staff = UserFactory(is_staff=True)
    person = UserFactory()

    first = appoint_regional_moderator(
        actor=staff, moderator=person, region=RegionalModerator.Region.NEPAL
    )
    again = appoint_regional_moderator(
        actor=staff, moderator=person, region=RegionalModerator.Region.NEPAL
    )

    assert first.pk == again.pk and first.appointed_by == staff
    action = only_action()
    assert action.kind == ModerationAction.Kind.ADD_MODERATOR
    assert action.details == {"region": "nepal"} and action.channel is None
