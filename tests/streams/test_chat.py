"""Chat in the live room: posting and every reason a message is refused, AutoMod's
hold and reject, reviewing held messages, deleting and clearing."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from economy.selectors import memberships
from economy.services.rewards import grant_coins
from economy.services.subscriptions import save_subscription_settings, subscribe_with_coins
from halobuzz.users.models import Follow
from streams import badges, events, subscribers
from streams.models import ChatMessage, ChatSettings, RoomEvent, Stream
from streams.services.chat import (
    approve_held_message,
    clean_body,
    clear_chat,
    delete_chat_message,
    deny_held_message,
    post_chat_message,
)
from streams.services.lifecycle import end_stream
from tests.factories import FollowFactory, UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory, StreamFactory
from tests.streams.room_factories import (
    ChannelBanFactory,
    ChannelEmoteFactory,
    ChatMessageFactory,
    HeldMessageFactory,
    TimeoutFactory,
    chat_settings,
    freeze_clock,
    refused,
)
from trust import services as trust_services
from trust.automod import AutoModVerdict
from trust.models import ModerationAction

pytestmark = pytest.mark.django_db

TOXIC = "you are a stupid worthless idiot"


@pytest.fixture
def clock(monkeypatch):
    return freeze_clock(monkeypatch)


def post(stream, author, body="boa noite"):
    return post_chat_message(stream_id=stream.pk, author=author, body=body)


def score_every_message(monkeypatch, score: float, reason: str = "profanity_model"):
    monkeypatch.setattr(
        "trust.automod.score_message", lambda text: AutoModVerdict(score=score, reason=reason)
    )


# --- A message reaches the room --------------------------------------------------------


def test_a_message_is_numbered_stored_and_broadcast_to_the_room_after_commit(
    stream, viewer, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        posted = post(stream, viewer, "  boa   noite\n:saudade:  ")
    assert broadcasts.sent == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    message = posted.message
    assert posted.held is False
    assert message.status == ChatMessage.Status.VISIBLE
    assert message.body == "boa noite :saudade:"
    assert message.seq == 1
    [sent] = broadcasts.to(events.room_group(stream.pk))
    assert sent == RoomEvent.objects.get(stream=stream, seq=1).frame
    assert sent["type"] == "chat.message" and sent["v"] == 1 and sent["seq"] == 1
    assert sent["message"]["id"] == message.pk
    assert sent["message"]["body"] == "boa noite :saudade:"
    assert sent["message"]["author"] == {
        "id": viewer.pk,
        "username": viewer.username,
        "name": viewer.name,
        "badges": [],
    }


def test_messages_take_consecutive_numbers(stream, viewer):
    seqs = [post(stream, author).message.seq for author in (viewer, UserFactory(), viewer)]

    assert seqs == [1, 2, 3]


def test_mentions_name_existing_active_users_whatever_the_case(stream, viewer):
    UserFactory(username="Ravi")
    UserFactory(username="gone", is_active=False)

    message = post(stream, viewer, "olá @ravi e @gone e @nobody_here, email a@b.com").message

    assert message.mentions == ["Ravi"]


def test_badges_show_the_host_moderators_and_staff(stream, host, moderator):
    staff = UserFactory(is_staff=True)

    assert post(stream, host).message.badges == [{"kind": "host"}]
    assert post(stream, moderator).message.badges == [{"kind": "moderator"}]
    assert post(stream, staff).message.badges == [{"kind": "moderator"}, {"kind": "staff"}]


def test_other_features_add_badges_through_a_provider(stream, viewer):
    def supporter(*, stream, user):
        return [{"kind": "subscriber", "months": 3}]

    badges.register_badge_provider(supporter)
    try:
        message = post(stream, viewer).message
    finally:
        badges.unregister_badge_provider(supporter)

    assert message.badges == [{"kind": "subscriber", "months": 3}]


def test_clean_body_collapses_whitespace_and_drops_invisible_characters():
    assert clean_body("  olá\r\n\tmundo  ") == "olá mundo"
    assert clean_body("evil\u202etxt.exe\u200b") == "eviltxt.exe"
    assert clean_body("नमस्ते") == "नमस्ते"  # combining marks stay


# --- The text --------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\t", "\u200b\u202e"])
def test_an_empty_message_is_refused(stream, viewer, body):
    with refused("message_empty"):
        post(stream, viewer, body)


def test_a_message_over_500_characters_is_refused(stream, viewer):
    with refused("message_too_long"):
        post(stream, viewer, "a" * 501)

    assert post(stream, viewer, "a" * 500).message.seq == 1
    assert ChatMessage.objects.count() == 1


# --- Who is sending --------------------------------------------------------------------


def test_chat_is_closed_once_the_stream_has_ended(viewer):
    with refused("chat_closed"):
        post(EndedStreamFactory(), viewer)


def test_an_unknown_stream_is_not_found(viewer):
    with refused("not_found"):
        post_chat_message(stream_id=999999, author=viewer, body="hello")


def test_a_visitor_must_sign_in_to_chat(stream):
    with refused("not_signed_in"):
        post(stream, AnonymousUser())


def test_an_inactive_account_cannot_chat(stream):
    with refused("account_inactive"):
        post(stream, UserFactory(is_active=False))


def test_a_member_banned_site_wide_cannot_chat(stream, viewer):
    staff = UserFactory(is_staff=True, is_superuser=True)
    trust_services.ban_user_sitewide(actor=staff, user=viewer, reason="spam everywhere")

    with refused("site_banned"):
        post(stream, viewer)


def test_a_member_banned_from_the_channel_cannot_chat_in_any_of_its_streams(host, viewer):
    ChannelBanFactory(channel=host, user=viewer)
    next_stream = StreamFactory(host=host)  # scheduled: its room is already open

    with refused("channel_banned"):
        post(next_stream, viewer)
    assert post(LiveStreamFactory(), viewer).message.seq == 1  # other channels are fine


def test_a_timed_out_member_is_told_how_long_to_wait(stream, host, viewer):
    TimeoutFactory(channel=host, user=viewer, expires_at=timezone.now() + timedelta(minutes=5))

    with refused("timed_out") as caught:
        post(stream, viewer)

    assert 298 <= caught.value.retry_after <= 300


def test_a_timeout_that_has_run_out_or_was_lifted_no_longer_applies(stream, host, viewer):
    TimeoutFactory(channel=host, user=viewer, expires_at=timezone.now() - timedelta(seconds=1))
    ChannelBanFactory(channel=host, user=viewer, lifted_at=timezone.now())

    assert post(stream, viewer).held is False


# --- Chat modes ------------------------------------------------------------------------


def test_slow_mode_makes_a_chatter_wait_between_messages(stream, host, viewer, clock):
    chat_settings(host, slow_mode_seconds=30)
    post(stream, viewer)
    clock.advance(seconds=10)

    with refused("slow_mode") as caught:
        post(stream, viewer)

    assert caught.value.retry_after == 20.0
    post(stream, UserFactory())  # everyone else has their own wait
    clock.advance(seconds=20)
    assert post(stream, viewer).message.seq == 3


def test_a_message_held_by_automod_counts_for_slow_mode(stream, host, viewer, monkeypatch):
    chat_settings(host, slow_mode_seconds=30)
    score_every_message(monkeypatch, 0.95)
    assert post(stream, viewer, "first").held is True

    with refused("slow_mode"):
        post(stream, viewer, "second")


def test_followers_only_mode_refuses_someone_who_does_not_follow(stream, host, viewer):
    chat_settings(host, followers_only_minutes=10)

    with refused("followers_only"):
        post(stream, viewer)


def test_followers_only_mode_refuses_a_follower_who_followed_too_recently(stream, host, viewer):
    chat_settings(host, followers_only_minutes=10)
    follow = FollowFactory(follower=viewer, followee=host)
    Follow.objects.filter(pk=follow.pk).update(created_at=timezone.now() - timedelta(minutes=9))

    with refused("followers_only") as caught:
        post(stream, viewer)

    assert "10 minutes" in caught.value.message


def test_followers_only_mode_lets_a_long_enough_follower_chat(stream, host, viewer):
    chat_settings(host, followers_only_minutes=10)
    follow = FollowFactory(follower=viewer, followee=host)
    Follow.objects.filter(pk=follow.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    assert post(stream, viewer).message.seq == 1


def test_followers_only_mode_with_zero_minutes_lets_any_follower_chat(stream, host, viewer):
    chat_settings(host, followers_only_minutes=0)
    FollowFactory(follower=viewer, followee=host)

    assert post(stream, viewer).message.seq == 1
    with refused("followers_only"):
        post(stream, UserFactory())


def subscribe(fan, creator):
    """A month's subscription paid with coins, as a viewer buys it."""
    save_subscription_settings(creator=creator, levels=[1])
    grant_coins(user=fan, coins=1000, reason="test", idempotency_key=f"fund:{fan.pk}")
    return subscribe_with_coins(
        subscriber=fan, creator=creator, level=1, idempotency_key=f"sub:{fan.pk}"
    )


def test_subscribers_only_mode_refuses_a_viewer_who_does_not_subscribe_and_saves_nothing(
    stream, host, viewer, broadcasts, django_capture_on_commit_callbacks
):
    chat_settings(host, subscribers_only=True)

    with django_capture_on_commit_callbacks(execute=True), refused("subscribers_only") as caught:
        post(stream, viewer)

    assert host.name in caught.value.message
    assert caught.value.extra == {"subscribe_url": f"/@{host.username}/#subscribe"}
    assert not ChatMessage.objects.exists()
    assert not RoomEvent.objects.exists()
    assert broadcasts.sent == []


def test_subscribers_only_mode_lets_a_running_subscriber_chat(stream, host, viewer):
    chat_settings(host, subscribers_only=True)
    subscribe(viewer, host)

    assert post(stream, viewer).message.seq == 1


def test_subscribers_only_mode_refuses_a_subscriber_whose_subscription_ended(stream, host, viewer):
    chat_settings(host, subscribers_only=True)
    subscription = subscribe(viewer, host)
    type(subscription).objects.filter(pk=subscription.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    with refused("subscribers_only"):
        post(stream, viewer)
    assert not ChatMessage.objects.exists()


def test_subscribers_only_mode_counts_only_subscribers_of_this_host(stream, host, viewer):
    chat_settings(host, subscribers_only=True)
    subscribe(viewer, UserFactory(is_creator=True))

    with refused("subscribers_only"):
        post(stream, viewer)


def test_subscribers_only_mode_off_lets_anyone_chat(stream, host, viewer):
    chat_settings(host, subscribers_only=False)

    assert post(stream, viewer).message.seq == 1


def test_the_subscriptions_feature_registers_its_subscriber_check(host, viewer):
    assert not subscribers.is_subscriber(channel=host, user=viewer)

    subscribe(viewer, host)

    assert subscribers.is_subscriber(channel=host, user=viewer)
    assert memberships.is_subscriber(channel=host, user=viewer)
    assert not subscribers.is_subscriber(channel=UserFactory(), user=viewer)


def test_any_registered_subscriber_check_lets_a_viewer_chat(stream, host, viewer):
    chat_settings(host, subscribers_only=True)
    asked = []

    def patrons(*, channel, user):
        asked.append((channel, user))
        return True

    subscribers.register_subscriber_check(patrons)
    try:
        assert post(stream, viewer).message.seq == 1
    finally:
        subscribers.unregister_subscriber_check(patrons)

    assert asked == [(host, viewer)]
    with refused("subscribers_only"):
        post(stream, UserFactory())


def test_with_no_subscriber_check_registered_nobody_is_a_subscriber(
    stream, host, viewer, monkeypatch
):
    chat_settings(host, subscribers_only=True)
    subscribe(viewer, host)
    monkeypatch.setattr(subscribers, "_checks", [])

    with refused("subscribers_only"):
        post(stream, viewer)


def test_emote_only_mode_lets_known_emotes_through(stream, host, viewer):
    chat_settings(host, emote_only=True)
    own = ChannelEmoteFactory(channel=host, code="maya_wave")

    assert post(stream, viewer, ":saudade: :heart:").message.seq == 1
    assert post(stream, UserFactory(), f":{own.code}:").message.seq == 2


@pytest.mark.parametrize(
    "body",
    ["boa noite :saudade:", ":not_an_emote:", ":saudade: !", ":some_other_channels:"],
)
def test_emote_only_mode_refuses_words_and_unknown_emotes(stream, host, viewer, body):
    chat_settings(host, emote_only=True)
    ChannelEmoteFactory(code="some_other_channels")

    with refused("emote_only"):
        post(stream, viewer, body)


def test_the_host_moderators_and_staff_are_exempt_from_every_chat_mode(stream, host, moderator):
    chat_settings(
        host,
        slow_mode_seconds=600,
        followers_only_minutes=60,
        emote_only=True,
        subscribers_only=True,
    )
    staff = UserFactory(is_staff=True)

    for author in (host, moderator, staff, host, moderator, staff):
        assert post(stream, author, "words, not emotes").held is False


# --- The rate limit --------------------------------------------------------------------


def test_a_burst_of_messages_then_the_rate_limit(stream, viewer, settings):
    settings.CHAT_MESSAGES_PER_SECOND = 0.2  # a token every 5 s: slow machines pass too
    settings.CHAT_MESSAGE_BURST = 5
    started = time.monotonic()
    for number in range(5):
        post(stream, viewer, f"message {number}")

    with refused("rate_limited") as caught:
        post(stream, viewer, "one too many")

    # A token comes back 1 / rate seconds after the burst began.
    elapsed = time.monotonic() - started
    assert 5.0 - elapsed - 0.1 <= caught.value.retry_after <= 5.0
    assert ChatMessage.objects.count() == 5
    assert post(stream, UserFactory()).held is False  # the limit is per sender


def test_the_host_is_not_exempt_from_the_rate_limit(stream, host, settings):
    settings.CHAT_MESSAGES_PER_SECOND = 0.2
    settings.CHAT_MESSAGE_BURST = 2
    post(stream, host)
    post(stream, host)

    with refused("rate_limited"):
        post(stream, host)


# --- Blocked terms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "you zorblat",
        "ZORBLAT!",
        "z0rbl4t",
        "zórblát",
        "zzzorrrblaaat",
        "z.o.r.b.l.a.t",
        "\uff5a\uff4f\uff52\uff42\uff4c\uff41\uff54",  # full-width letters
    ],
)
def test_a_blocked_term_is_refused_in_all_its_disguises(stream, viewer, body):
    staff = UserFactory(is_staff=True, is_superuser=True)
    trust_services.add_blocked_term(term="zorblat", actor=staff)

    with refused("blocked_term"):
        post(stream, viewer, body)

    assert not ChatMessage.objects.exists()
    assert not RoomEvent.objects.exists()


def test_a_word_that_merely_contains_a_blocked_term_passes(stream, viewer):
    staff = UserFactory(is_staff=True, is_superuser=True)
    trust_services.add_blocked_term(term="zorblat", actor=staff)

    assert post(stream, viewer, "zorblattery is a made-up word").held is False


def test_a_channels_own_blocked_terms_apply_only_in_its_rooms(stream, host, viewer):
    trust_services.add_blocked_term(term="spoiler", channel=host, actor=host)

    with refused("blocked_term"):
        post(stream, viewer, "SP0ILER: the butler did it")
    assert post(LiveStreamFactory(), viewer, "spoiler: the butler did it").held is False


def test_blocked_terms_apply_to_the_host_and_moderators_too(stream, host, moderator):
    trust_services.add_blocked_term(term="spoiler", channel=host, actor=host)

    for author in (host, moderator):
        with refused("blocked_term"):
            post(stream, author, "spoiler")


# --- AutoMod ---------------------------------------------------------------------------


def test_automod_holds_a_toxic_message_for_the_moderators(
    stream, viewer, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = post(stream, viewer, TOXIC)

    message = posted.message
    assert posted.held is True
    assert message.status == ChatMessage.Status.HELD
    assert message.seq is None
    assert message.automod_score >= 0.8 and message.automod_reason == "profanity_model"
    assert broadcasts.to(events.room_group(stream.pk)) == []
    assert not RoomEvent.objects.exists()
    [held] = broadcasts.to(events.moderators_group(stream.pk))
    assert held["type"] == "automod.held"
    assert held["message"]["id"] == message.pk
    assert held["score"] == round(message.automod_score, 3)
    assert held["reason"] == "profanity_model"
    action = ModerationAction.objects.get()
    assert action.kind == ModerationAction.Kind.AUTOMOD_HOLD
    assert action.actor is None
    assert (action.target_user, action.chat_message, action.stream) == (viewer, message, stream)
    assert action.channel == stream.host
    assert action.details == {"score": round(message.automod_score, 3)}


def test_automod_rejects_instead_when_the_channel_says_so(
    stream, host, viewer, broadcasts, django_capture_on_commit_callbacks
):
    chat_settings(host, automod_action=ChatSettings.AutoModAction.REJECT)

    with django_capture_on_commit_callbacks(execute=True), refused("automod_rejected"):
        post(stream, viewer, TOXIC)

    message = ChatMessage.objects.get()
    assert message.status == ChatMessage.Status.REJECTED and message.seq is None
    action = ModerationAction.objects.get()
    assert action.kind == ModerationAction.Kind.AUTOMOD_REJECT
    assert action.actor is None and action.chat_message == message
    assert broadcasts.sent == []
    assert not RoomEvent.objects.exists()


def test_automod_flags_only_at_or_above_the_channels_threshold(stream, host, viewer, monkeypatch):
    score_every_message(monkeypatch, 0.5)
    chat_settings(host, automod_threshold=0.6)
    assert post(stream, viewer, "borderline").held is False

    chat_settings(host, automod_threshold=0.5)
    assert post(stream, viewer, "borderline").held is True


def test_a_friendly_message_passes_automod(stream, viewer):
    message = post(stream, viewer, "what a lovely song, thank you").message

    assert message.status == ChatMessage.Status.VISIBLE
    assert message.automod_score < 0.8
    assert not ModerationAction.objects.exists()


def test_the_host_and_moderators_are_not_scored_by_automod(stream, host, moderator):
    for author in (host, moderator):
        message = post(stream, author, TOXIC).message
        assert message.status == ChatMessage.Status.VISIBLE
        assert message.automod_score is None

    assert not ModerationAction.objects.exists()


# --- Reviewing held messages -----------------------------------------------------------


def test_approving_a_held_message_shows_it_to_the_room(
    stream, moderator, broadcasts, django_capture_on_commit_callbacks
):
    ChatMessageFactory(stream=stream)  # seq 1
    held = HeldMessageFactory(stream=stream)

    with django_capture_on_commit_callbacks(execute=True):
        approved = approve_held_message(actor=moderator, stream_id=stream.pk, message_id=held.pk)

    assert approved.status == ChatMessage.Status.VISIBLE
    assert approved.seq == 2
    assert approved.moderated_by == moderator
    [shown] = broadcasts.to(events.room_group(stream.pk))
    assert shown["type"] == "chat.message" and shown["seq"] == 2
    assert shown["message"]["id"] == held.pk
    [resolved] = broadcasts.to(events.moderators_group(stream.pk))
    assert resolved == events.build_frame(
        "automod.resolved", message_id=held.pk, outcome="approved"
    )
    action = ModerationAction.objects.get()
    assert action.kind == ModerationAction.Kind.APPROVE_MESSAGE
    assert (action.actor, action.target_user, action.chat_message) == (
        moderator,
        held.author,
        approved,
    )


def test_denying_a_held_message_keeps_it_from_the_room(
    stream, host, broadcasts, django_capture_on_commit_callbacks
):
    held = HeldMessageFactory(stream=stream)

    with django_capture_on_commit_callbacks(execute=True):
        denied = deny_held_message(actor=host, stream_id=stream.pk, message_id=held.pk)

    assert denied.status == ChatMessage.Status.DENIED and denied.seq is None
    assert broadcasts.to(events.room_group(stream.pk)) == []
    assert broadcasts.to(events.moderators_group(stream.pk)) == [
        events.build_frame("automod.resolved", message_id=held.pk, outcome="denied")
    ]
    assert not RoomEvent.objects.exists()
    action = ModerationAction.objects.get()
    assert action.kind == ModerationAction.Kind.DENY_MESSAGE and action.actor == host


def test_a_held_message_is_reviewed_once(stream, moderator, host):
    held = HeldMessageFactory(stream=stream)
    approve_held_message(actor=moderator, stream_id=stream.pk, message_id=held.pk)

    with refused("not_found"):
        deny_held_message(actor=host, stream_id=stream.pk, message_id=held.pk)
    with refused("not_found"):
        approve_held_message(actor=host, stream_id=stream.pk, message_id=held.pk)
    assert ModerationAction.objects.count() == 1


def test_only_the_host_and_moderators_review_held_messages(stream, viewer):
    held = HeldMessageFactory(stream=stream)

    with refused("forbidden"):
        approve_held_message(actor=viewer, stream_id=stream.pk, message_id=held.pk)
    with refused("forbidden"):
        deny_held_message(actor=viewer, stream_id=stream.pk, message_id=held.pk)
    held.refresh_from_db()
    assert held.status == ChatMessage.Status.HELD


def test_a_visible_message_or_one_from_another_room_cannot_be_reviewed(stream, host):
    visible = ChatMessageFactory(stream=stream)
    elsewhere = HeldMessageFactory()

    for message_id in (visible.pk, elsewhere.pk, "not-a-number", None):
        with refused("not_found"):
            approve_held_message(actor=host, stream_id=stream.pk, message_id=message_id)


# --- Deleting and clearing -------------------------------------------------------------


def test_a_moderator_deletes_a_message(
    stream, moderator, broadcasts, django_capture_on_commit_callbacks
):
    message = ChatMessageFactory(stream=stream)

    with django_capture_on_commit_callbacks(execute=True):
        delete_chat_message(
            actor=moderator, stream_id=stream.pk, message_id=message.pk, reason="rude"
        )

    message.refresh_from_db()
    assert message.status == ChatMessage.Status.DELETED
    assert message.moderated_by == moderator
    [deleted] = broadcasts.to(events.room_group(stream.pk))
    assert deleted["type"] == "chat.deleted"
    assert deleted["message_id"] == message.pk and deleted["seq"] == 2
    action = ModerationAction.objects.get()
    assert action.kind == ModerationAction.Kind.DELETE_MESSAGE
    assert (action.actor, action.target_user, action.chat_message, action.reason) == (
        moderator,
        message.author,
        message,
        "rude",
    )


def test_a_viewer_cannot_delete_messages(stream, viewer):
    message = ChatMessageFactory(stream=stream)

    with refused("forbidden"):
        delete_chat_message(actor=viewer, stream_id=stream.pk, message_id=message.pk)
    with refused("forbidden"):
        delete_chat_message(actor=message.author, stream_id=stream.pk, message_id=message.pk)

    message.refresh_from_db()
    assert message.status == ChatMessage.Status.VISIBLE
    assert not ModerationAction.objects.exists()


def test_deleting_a_message_twice_or_from_another_room_is_not_found(stream, host):
    message = ChatMessageFactory(stream=stream)
    delete_chat_message(actor=host, stream_id=stream.pk, message_id=message.pk)

    with refused("not_found"):
        delete_chat_message(actor=host, stream_id=stream.pk, message_id=message.pk)
    with refused("not_found"):
        delete_chat_message(actor=host, stream_id=stream.pk, message_id=ChatMessageFactory().pk)
    assert ModerationAction.objects.count() == 1


def test_clearing_chat_removes_every_visible_message(
    stream, host, broadcasts, django_capture_on_commit_callbacks
):
    shown = ChatMessageFactory.create_batch(3, stream=stream)
    held = HeldMessageFactory(stream=stream)
    other_room = ChatMessageFactory()

    with django_capture_on_commit_callbacks(execute=True):
        cleared = clear_chat(actor=host, stream_id=stream.pk)

    assert cleared == 3
    assert set(
        ChatMessage.objects.filter(pk__in=[m.pk for m in shown]).values_list("status", flat=True)
    ) == {ChatMessage.Status.DELETED}
    held.refresh_from_db()
    other_room.refresh_from_db()
    assert held.status == ChatMessage.Status.HELD
    assert other_room.status == ChatMessage.Status.VISIBLE
    [frame] = broadcasts.to(events.room_group(stream.pk))
    assert frame["type"] == "chat.cleared" and frame["seq"] == 4
    action = ModerationAction.objects.get()
    assert action.kind == ModerationAction.Kind.CLEAR_CHAT
    assert action.actor == host and action.details == {"messages": 3}


def test_a_viewer_cannot_clear_chat(stream, viewer):
    ChatMessageFactory(stream=stream)

    with refused("forbidden"):
        clear_chat(actor=viewer, stream_id=stream.pk)
    assert ChatMessage.objects.get().status == ChatMessage.Status.VISIBLE


def test_moderators_can_still_clean_up_after_the_stream_ended(stream, host):
    message = ChatMessageFactory(stream=stream)
    end_stream(stream=stream, reason=Stream.EndReason.HOST)

    delete_chat_message(actor=host, stream_id=stream.pk, message_id=message.pk)

    message.refresh_from_db()
    assert message.status == ChatMessage.Status.DELETED
