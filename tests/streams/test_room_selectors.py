"""Reads for the live room: who may moderate (host, channel, regional and staff
moderators), why someone may not chat, and the welcome a joining client gets."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from streams import events
from streams.models import ChatMessage, RegionalModerator, RoomEvent
from streams.selectors.room import build_welcome, get_chat_restriction, get_room_roles
from streams.services.chat import delete_chat_message, post_chat_message
from streams.services.polls import create_poll, vote_in_poll
from streams.services.room_moderation import set_chat_modes
from streams.services.room_requests import submit_request, upvote_request
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory
from tests.streams.room_factories import (
    ChannelBanFactory,
    ChannelModeratorFactory,
    ChatMessageFactory,
    HeldMessageFactory,
    RegionalModeratorFactory,
    TimeoutFactory,
)
from trust import services as trust_services

pytestmark = pytest.mark.django_db

Region = RegionalModerator.Region


def welcome(stream, user, last_seq=None) -> tuple[dict, list[dict]]:
    first, *replay = build_welcome(stream=stream, user=user, last_seq=last_seq)
    assert first["type"] == "room.welcome" and first["v"] == 1
    return first, replay


# --- Roles -----------------------------------------------------------------------------


def test_the_host_is_the_host(stream):
    assert get_room_roles(user=stream.host, stream=stream) == {"host"}


def test_a_channel_moderator_moderates_that_channel_only(stream):
    moderator = ChannelModeratorFactory(channel=stream.host).moderator

    assert get_room_roles(user=moderator, stream=stream) == {"moderator"}
    assert get_room_roles(user=moderator, stream=LiveStreamFactory()) == frozenset()


def test_staff_moderate_every_room(stream):
    assert get_room_roles(user=UserFactory(is_staff=True), stream=stream) == {"moderator"}


def test_viewers_visitors_and_inactive_accounts_have_no_role(stream, viewer):
    former_moderator = ChannelModeratorFactory(
        channel=stream.host, moderator__is_active=False
    ).moderator

    for user in (viewer, AnonymousUser(), None, former_moderator):
        assert get_room_roles(user=user, stream=stream) == frozenset()


@pytest.mark.parametrize(
    ("country", "language", "region"),
    [
        ("BR", "pt", Region.BRAZIL),
        ("PT", "pt", Region.PORTUGAL),
        ("NP", "ne", Region.NEPAL),
        ("IN", "hi", Region.INDIA),
        ("IN", "en", Region.INDIA),  # the host's country decides, not the language
        ("AO", "pt", Region.AFRICA),
        ("MZ", "pt", Region.AFRICA),
        ("CV", "pt", Region.AFRICA),
        ("US", "ne", Region.DIASPORA),  # Nepali abroad
        ("GB", "hi", Region.DIASPORA),
        ("FR", "pt", Region.DIASPORA),
    ],
)
def test_a_regional_moderator_moderates_hosts_of_their_region(country, language, region):
    stream = LiveStreamFactory(host__country=country, language=language)
    regional = RegionalModeratorFactory(region=region).moderator

    assert get_room_roles(user=regional, stream=stream) == {"moderator"}


@pytest.mark.parametrize(
    ("country", "language", "region"),
    [
        ("PT", "pt", Region.BRAZIL),
        ("BR", "pt", Region.PORTUGAL),
        ("NP", "ne", Region.INDIA),
        ("BR", "pt", Region.DIASPORA),  # at home, not abroad
        ("US", "en", Region.DIASPORA),  # abroad, but not streaming in pt/ne/hi
        ("", "pt", Region.DIASPORA),  # no country given
        ("", "pt", Region.BRAZIL),
    ],
)
def test_a_regional_moderator_does_not_moderate_other_regions(country, language, region):
    stream = LiveStreamFactory(host__country=country, language=language)
    regional = RegionalModeratorFactory(region=region).moderator

    assert get_room_roles(user=regional, stream=stream) == frozenset()


def test_a_host_who_moderates_another_channel_is_host_and_moderator_there(stream):
    other = LiveStreamFactory()
    ChannelModeratorFactory(channel=other.host, moderator=stream.host)

    assert get_room_roles(user=stream.host, stream=other) == {"moderator"}


# --- Restrictions ----------------------------------------------------------------------


def test_a_member_in_good_standing_has_no_restriction(stream, viewer):
    assert get_chat_restriction(user=viewer, stream=stream) is None


def test_visitors_and_inactive_accounts_are_restricted(stream):
    assert get_chat_restriction(user=AnonymousUser(), stream=stream).code == "not_signed_in"
    assert get_chat_restriction(user=None, stream=stream).code == "not_signed_in"
    inactive = UserFactory(is_active=False)
    assert get_chat_restriction(user=inactive, stream=stream).code == "account_inactive"


def test_a_site_wide_ban_says_until_when(stream, viewer):
    until = timezone.now() + timedelta(days=3)
    staff = UserFactory(is_staff=True, is_superuser=True)
    trust_services.ban_user_sitewide(actor=staff, user=viewer, reason="fraud", expires_at=until)

    restriction = get_chat_restriction(user=viewer, stream=stream)

    assert restriction.as_payload() == {
        "code": "site_banned",
        "until": until.isoformat(),
        "reason": "fraud",
    }


def test_a_channel_ban_outweighs_a_timeout(stream, viewer):
    TimeoutFactory(channel=stream.host, user=viewer)
    ChannelBanFactory(channel=stream.host, user=viewer, reason="hate")

    restriction = get_chat_restriction(user=viewer, stream=stream)

    assert (restriction.code, restriction.until, restriction.reason) == (
        "channel_banned",
        None,
        "hate",
    )


def test_the_latest_ending_timeout_is_the_one_shown(stream, viewer):
    soon = timezone.now() + timedelta(minutes=5)
    later = timezone.now() + timedelta(hours=2)
    TimeoutFactory(channel=stream.host, user=viewer, expires_at=later)
    TimeoutFactory(channel=stream.host, user=viewer, expires_at=soon)

    restriction = get_chat_restriction(user=viewer, stream=stream)

    assert restriction.code == "timed_out" and restriction.until == later


def test_expired_lifted_and_other_channels_bans_do_not_restrict(stream, viewer):
    TimeoutFactory(
        channel=stream.host, user=viewer, expires_at=timezone.now() - timedelta(seconds=1)
    )
    ChannelBanFactory(channel=stream.host, user=viewer, lifted_at=timezone.now())
    ChannelBanFactory(user=viewer)

    assert get_chat_restriction(user=viewer, stream=stream) is None


# --- The welcome -----------------------------------------------------------------------


def test_a_full_welcome_for_a_signed_in_viewer(stream, viewer, settings):
    for number in range(3):
        post_chat_message(stream_id=stream.pk, author=UserFactory(), body=f"hi {number}")
    set_chat_modes(actor=stream.host, stream_id=stream.pk, slow_mode_seconds=10)

    first, replay = welcome(stream, viewer)

    assert replay == []
    assert first["seq"] == 4 and first["resumed"] is False
    assert first["stream"] == {"id": stream.pk, "status": "live", "title": stream.title}
    assert first["you"] == {
        **events.user_payload(viewer),
        "roles": [],
        "can_chat": True,
        "restriction": None,
    }
    assert first["modes"] == {
        "slow_mode_seconds": 10,
        "followers_only_minutes": None,
        "emote_only": False,
        "subscribers_only": False,
    }
    assert first["limits"] == {
        "message_max_length": 500,
        "messages_per_second": settings.CHAT_MESSAGES_PER_SECOND,
        "message_burst": settings.CHAT_MESSAGE_BURST,
    }
    assert {
        "code": "saudade",
        "name": "Saudade",
        "url": "/static/streams/emotes/saudade.svg",
    } in first["emotes"]
    assert first["reactions"] == ["heart", "fire", "laugh", "clap", "wow", "party"]
    assert [message["body"] for message in first["messages"]] == ["hi 0", "hi 1", "hi 2"]
    assert first["viewers"] == {"count": stream.current_viewers, "peak": stream.peak_viewers}
    assert first["poll"] is None and first["requests"] == [] and first["held"] == []


def test_a_visitor_is_welcomed_without_you(stream):
    first, _replay = welcome(stream, AnonymousUser())

    assert first["you"] is None


def test_the_welcome_shows_the_last_fifty_visible_messages_oldest_first(stream, settings):
    messages = ChatMessageFactory.create_batch(55, stream=stream)
    delete_chat_message(actor=stream.host, stream_id=stream.pk, message_id=messages[-1].pk)
    HeldMessageFactory(stream=stream)
    ChatMessageFactory()  # another room

    first, _replay = welcome(stream, UserFactory())

    shown = [message["id"] for message in first["messages"]]
    assert settings.CHAT_HISTORY_ON_JOIN == 50
    assert shown == [message.pk for message in messages[4:54]]


def test_held_messages_are_shown_to_the_host_and_moderators_only(stream, viewer):
    held = HeldMessageFactory(stream=stream)
    moderator = ChannelModeratorFactory(channel=stream.host).moderator

    for user in (stream.host, moderator, UserFactory(is_staff=True)):
        first, _replay = welcome(stream, user)
        assert [message["id"] for message in first["held"]] == [held.pk]
    for user in (viewer, AnonymousUser(), held.author):
        first, _replay = welcome(stream, user)
        assert first["held"] == []


def test_the_welcome_says_who_you_are_and_why_you_cannot_chat(stream, viewer):
    moderator = ChannelModeratorFactory(channel=stream.host).moderator
    TimeoutFactory(channel=stream.host, user=viewer)

    assert welcome(stream, stream.host)[0]["you"]["roles"] == ["host"]
    assert welcome(stream, moderator)[0]["you"]["roles"] == ["moderator"]
    you = welcome(stream, viewer)[0]["you"]
    assert you["can_chat"] is False and you["restriction"]["code"] == "timed_out"


def test_nobody_can_chat_in_an_ended_stream(viewer):
    first, _replay = welcome(EndedStreamFactory(), viewer)

    assert first["you"]["can_chat"] is False and first["you"]["restriction"] is None


def test_the_welcome_has_the_open_poll_with_your_vote_and_the_ranked_requests(stream, viewer):
    poll = create_poll(
        actor=stream.host,
        stream_id=stream.pk,
        question="Next?",
        options=["Fado", "Samba"],
        duration_seconds=60,
    )
    option = poll.options.last()
    vote_in_poll(voter=viewer, stream_id=stream.pk, poll_id=poll.pk, option_id=option.pk)
    quiet = submit_request(author=UserFactory(), stream_id=stream.pk, text="quiet one")
    popular = submit_request(author=UserFactory(), stream_id=stream.pk, text="popular one")
    upvote_request(voter=viewer, stream_id=stream.pk, request_id=popular.pk)

    first, _replay = welcome(stream, viewer)

    assert first["poll"]["id"] == poll.pk and first["poll"]["your_vote"] == option.pk
    assert first["poll"]["total_votes"] == 1
    assert [(r["id"], r["upvotes"], r["you_upvoted"]) for r in first["requests"]] == [
        (popular.pk, 1, True),
        (quiet.pk, 0, False),
    ]
    assert welcome(stream, AnonymousUser())[0]["poll"]["your_vote"] is None


# --- Resuming --------------------------------------------------------------------------


def test_resuming_replays_exactly_the_missed_events_in_order(stream, viewer):
    for number in range(5):
        post_chat_message(stream_id=stream.pk, author=UserFactory(), body=f"m{number}")

    first, replay = welcome(stream, viewer, last_seq=2)

    assert first["resumed"] is True and first["seq"] == 5
    assert first["messages"] == []
    assert [frame["seq"] for frame in replay] == [3, 4, 5]
    assert replay == [
        event.frame for event in RoomEvent.objects.filter(stream=stream, seq__gt=2).order_by("seq")
    ]


def test_resuming_when_nothing_was_missed_replays_nothing(stream, viewer):
    post_chat_message(stream_id=stream.pk, author=UserFactory(), body="only one")

    first, replay = welcome(stream, viewer, last_seq=1)

    assert first["resumed"] is True and replay == []


def test_a_client_too_far_behind_gets_a_full_welcome(stream, viewer, settings):
    settings.ROOM_REPLAY_MAX_EVENTS = 3
    for number in range(5):
        post_chat_message(stream_id=stream.pk, author=UserFactory(), body=f"m{number}")

    first, replay = welcome(stream, viewer, last_seq=1)

    assert first["resumed"] is False and replay == []
    assert len(first["messages"]) == 5


def test_a_client_claiming_a_number_the_room_never_reached_gets_a_full_welcome(stream, viewer):
    post_chat_message(stream_id=stream.pk, author=UserFactory(), body="one")

    for last_seq in (7, -1):
        first, replay = welcome(stream, viewer, last_seq=last_seq)
        assert first["resumed"] is False and replay == []
        assert [message["body"] for message in first["messages"]] == ["one"]


def test_a_client_whose_events_were_pruned_gets_a_full_welcome(stream, viewer):
    for number in range(3):
        post_chat_message(stream_id=stream.pk, author=UserFactory(), body=f"m{number}")
    RoomEvent.objects.filter(stream=stream, seq=2).delete()

    first, replay = welcome(stream, viewer, last_seq=1)

    assert first["resumed"] is False and replay == []
    assert ChatMessage.objects.filter(stream=stream).count() == 3
