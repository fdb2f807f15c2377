"""Blocked terms, site-wide bans and the moderation log, through trust.services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from streams.models import ChatMessage
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.trust.factories import BlockedTermFactory, SiteBanFactory, staff_with_permissions
from trust import selectors, services
from trust.exceptions import (
    AlreadyBannedSitewide,
    BlockedTermExists,
    BlockedTermNotFound,
    InvalidBlockedTerm,
    InvalidSiteBan,
    NotAllowed,
)
from trust.models import BlockedTerm, ModerationAction, SiteBan
from trust.services import chat_safety

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


# --- Blocked terms ------------------------------------------------------------------------


def test_adding_a_global_term_stores_its_normalized_form(staff):
    blocked = services.add_blocked_term(term="  Fuuuck  ", actor=staff)

    blocked.refresh_from_db()
    assert blocked.term == "Fuuuck"
    assert blocked.normalized == "fuck"
    assert blocked.channel is None
    assert blocked.created_by == staff


def test_a_channel_owner_adds_terms_to_their_own_channel(creator):
    blocked = services.add_blocked_term(term="Sh1t", channel=creator, actor=creator)

    assert blocked.channel == creator
    assert blocked.normalized == "shit"


def test_a_spelling_variant_of_an_existing_term_is_a_duplicate(staff):
    services.add_blocked_term(term="fuck", actor=staff)

    with pytest.raises(BlockedTermExists) as raised:
        services.add_blocked_term(term="F U U C K".replace(" ", ""), actor=staff)
    assert raised.value.code == "term_exists"
    assert BlockedTerm.objects.count() == 1


def test_the_same_term_may_be_blocked_in_two_channels(creator):
    other = UserFactory(is_creator=True)
    services.add_blocked_term(term="spoiler", channel=creator, actor=creator)
    services.add_blocked_term(term="spoiler", channel=other, actor=other)
    with pytest.raises(BlockedTermExists):
        services.add_blocked_term(term="SPOILER", channel=creator, actor=creator)


@pytest.mark.parametrize("term", ["", "   ", "!!!", "a", "x" * 101])
def test_empty_short_or_long_terms_are_invalid(staff, term):
    with pytest.raises(InvalidBlockedTerm) as raised:
        services.add_blocked_term(term=term, actor=staff)
    assert raised.value.code == "invalid_term"
    assert not BlockedTerm.objects.exists()


def test_a_full_channel_list_refuses_more_terms(creator, monkeypatch):
    monkeypatch.setattr(chat_safety, "MAX_TERMS_PER_CHANNEL", 2)
    BlockedTermFactory.create_batch(2, channel=creator)

    with pytest.raises(InvalidBlockedTerm) as raised:
        services.add_blocked_term(term="third", channel=creator, actor=creator)
    assert raised.value.code == "too_many_terms"


def test_members_cannot_add_global_terms_or_other_channels_terms(creator):
    member = UserFactory()
    with pytest.raises(NotAllowed):
        services.add_blocked_term(term="spoiler", actor=member)
    with pytest.raises(NotAllowed):
        services.add_blocked_term(term="spoiler", channel=creator, actor=member)
    assert not BlockedTerm.objects.exists()


def test_staff_with_the_permission_manage_any_channels_terms(creator):
    moderator = staff_with_permissions("add_blockedterm", "delete_blockedterm")
    blocked = services.add_blocked_term(term="spoiler", channel=creator, actor=moderator)
    services.remove_blocked_term(blocked_term_id=blocked.pk, channel=creator, actor=moderator)
    assert not BlockedTerm.objects.exists()


def test_a_channel_owner_removes_their_own_term(creator):
    blocked = BlockedTermFactory(term="spoiler", channel=creator)

    services.remove_blocked_term(blocked_term_id=blocked.pk, channel=creator, actor=creator)

    assert not BlockedTerm.objects.exists()


def test_a_channel_owner_cannot_remove_another_channels_or_global_terms(creator):
    other_channel_term = BlockedTermFactory(channel=UserFactory(is_creator=True))
    global_term = BlockedTermFactory()

    for blocked in (other_channel_term, global_term):
        with pytest.raises(BlockedTermNotFound):
            services.remove_blocked_term(blocked_term_id=blocked.pk, channel=creator, actor=creator)
    with pytest.raises(NotAllowed):
        services.remove_blocked_term(blocked_term_id=global_term.pk, actor=creator)
    assert BlockedTerm.objects.count() == 2


def test_removing_a_missing_term_is_not_found(staff):
    with pytest.raises(BlockedTermNotFound) as raised:
        services.remove_blocked_term(blocked_term_id=987654, actor=staff)
    assert raised.value.status == 404


# --- Site-wide bans ----------------------------------------------------------------------


def test_a_site_ban_is_recorded_in_the_moderation_log(staff, user):
    expires_at = timezone.now() + timedelta(days=7)

    site_ban = services.ban_user_sitewide(
        actor=staff, user=user, reason="  Spamming   links ", expires_at=expires_at
    )

    assert site_ban.reason == "Spamming links"
    assert site_ban.created_by == staff
    assert selectors.is_banned_sitewide(user=user)
    action = ModerationAction.objects.get()
    assert action.kind == ModerationAction.Kind.SITE_BAN
    assert (action.actor, action.target_user) == (staff, user)
    assert action.reason == "Spamming links"
    assert action.details["site_ban_id"] == site_ban.pk
    logged_expiry = parse_datetime(action.details["expires_at"])
    assert abs(logged_expiry - expires_at) < timedelta(milliseconds=1)


def test_a_member_already_banned_cannot_be_banned_again(staff, user):
    services.ban_user_sitewide(actor=staff, user=user, reason="Spam")

    with pytest.raises(AlreadyBannedSitewide) as raised:
        services.ban_user_sitewide(actor=staff, user=user, reason="More spam")
    assert raised.value.code == "already_banned"
    assert SiteBan.objects.count() == 1
    assert ModerationAction.objects.count() == 1


def test_an_expired_ban_does_not_count_and_a_new_one_can_be_made(staff, user):
    SiteBanFactory(user=user, expires_at=timezone.now() - timedelta(minutes=1))
    assert not selectors.is_banned_sitewide(user=user)

    services.ban_user_sitewide(actor=staff, user=user, reason="Again")

    assert selectors.is_banned_sitewide(user=user)


@pytest.mark.parametrize(
    ("reason", "expires_in", "code"),
    [
        ("", None, "reason_required"),
        ("   ", None, "reason_required"),
        ("x" * 201, None, "reason_too_long"),
        ("Spam", timedelta(minutes=-1), "expiry_in_past"),
    ],
)
def test_invalid_bans_are_refused(staff, user, reason, expires_in, code):
    expires_at = timezone.now() + expires_in if expires_in else None
    with pytest.raises(InvalidSiteBan) as raised:
        services.ban_user_sitewide(actor=staff, user=user, reason=reason, expires_at=expires_at)
    assert raised.value.code == code
    assert not SiteBan.objects.exists()
    assert not ModerationAction.objects.exists()


def test_staff_cannot_ban_themselves_or_other_staff(staff):
    with pytest.raises(InvalidSiteBan) as raised:
        services.ban_user_sitewide(actor=staff, user=staff, reason="Oops")
    assert raised.value.code == "cannot_ban_self"
    with pytest.raises(InvalidSiteBan) as raised:
        services.ban_user_sitewide(actor=staff, user=UserFactory(is_staff=True), reason="x")
    assert raised.value.code == "cannot_ban_staff"


def test_only_staff_with_the_permission_ban(user):
    with pytest.raises(NotAllowed):
        services.ban_user_sitewide(actor=UserFactory(), user=user, reason="Spam")
    with pytest.raises(NotAllowed):
        services.ban_user_sitewide(actor=staff_with_permissions(), user=user, reason="Spam")

    services.ban_user_sitewide(actor=staff_with_permissions("add_siteban"), user=user, reason="x")
    assert selectors.is_banned_sitewide(user=user)


def test_lifting_ends_every_active_ban_and_is_logged(staff, user):
    site_ban = services.ban_user_sitewide(actor=staff, user=user, reason="Spam")
    expired = SiteBanFactory(user=user, expires_at=timezone.now() - timedelta(days=1))

    lifted = services.lift_site_ban(actor=staff, user=user)

    assert lifted == 1
    site_ban.refresh_from_db()
    expired.refresh_from_db()
    assert site_ban.lifted_at is not None and site_ban.lifted_by == staff
    assert expired.lifted_at is None
    assert not selectors.is_banned_sitewide(user=user)
    unban = ModerationAction.objects.get(kind=ModerationAction.Kind.SITE_UNBAN)
    assert (unban.actor, unban.target_user) == (staff, user)
    assert unban.details == {"site_ban_ids": [site_ban.pk]}


def test_lifting_when_not_banned_does_nothing(staff, user):
    assert services.lift_site_ban(actor=staff, user=user) == 0
    assert not ModerationAction.objects.exists()


def test_lifting_needs_the_permission(user):
    SiteBanFactory(user=user)
    with pytest.raises(NotAllowed):
        services.lift_site_ban(actor=staff_with_permissions("add_siteban"), user=user)
    assert services.lift_site_ban(actor=staff_with_permissions("change_siteban"), user=user) == 1


# --- The moderation log ------------------------------------------------------------------------


def test_recording_an_action_fills_the_stream_and_channel_from_the_message():
    stream = LiveStreamFactory()
    author = UserFactory()
    message = ChatMessage.objects.create(stream=stream, author=author, body="buy followers")

    action = services.record_moderation_action(
        kind=ModerationAction.Kind.DELETE_MESSAGE,
        actor=stream.host,
        target_user=author,
        chat_message=message,
        reason="spam",
        details={"at": timezone.now(), "amount": Decimal("1.50")},
    )

    action.refresh_from_db()
    assert action.stream_id == stream.pk
    assert action.channel_id == stream.host_id
    assert action.chat_message == message
    assert set(action.details) == {"at", "amount"}
    assert action.details["amount"] == "1.50"


def test_automod_actions_have_no_actor_and_long_reasons_are_cut():
    action = services.record_moderation_action(
        kind=ModerationAction.Kind.AUTOMOD_REJECT, reason="x" * 500
    )
    assert action.actor is None
    assert len(action.reason) == 200
    assert action.details == {}


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="kind"):
        services.record_moderation_action(kind="vaporize")
