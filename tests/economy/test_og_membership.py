"""OG membership: bought and renewed with coins in one transaction, a daily bonus
once a day, a gift discount paid by the platform, a badge and an entrance in rooms,
and an end the member is told about."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from economy.audit import audit_ledger
from economy.exceptions import InsufficientFunds
from economy.models import Gift, OGMembership, OGTier
from economy.selectors.ledger import get_wallet_summary
from economy.services import memberships
from economy.services.gifts import send_gift
from economy.tasks import end_lapsed_og_memberships
from halobuzz.notifications.models import Notification
from streams import events
from streams.services import presence
from tests.economy.ledger_helpers import grant, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import capture_broadcasts

pytestmark = pytest.mark.django_db


def coins(user) -> int:
    return get_wallet_summary(user=user)["coins"]


@pytest.fixture
def member():
    user = UserFactory()
    grant(wallet_of(user), 20_000)
    return user


def tier(number: int) -> OGTier:
    return OGTier.objects.get(tier=number)  # seeded: 1 Bronze 500 ... 3 Gold 5,000


def buy(user, number, key="k1"):
    return memberships.buy_og_membership(user=user, tier_id=tier(number).pk, idempotency_key=key)


def test_buying_a_tier_takes_its_coins_and_runs_for_its_days(member):
    membership = buy(member, 3)

    assert coins(member) == 15_000
    assert membership.tier.tier == 3
    assert (
        timedelta(days=29, hours=23) < membership.expires_at - timezone.now() <= timedelta(days=30)
    )
    assert audit_ledger().clean


def test_renewing_extends_from_the_current_end_and_a_repeated_key_buys_once(member):
    first = buy(member, 2, key="a")
    buy(member, 2, key="a")
    renewed = buy(member, 2, key="b")

    assert coins(member) == 20_000 - 2 * 1500
    assert renewed.expires_at - first.started_at >= timedelta(days=60) - timedelta(seconds=5)


def test_a_lower_tier_waits_until_the_higher_one_ends(member):
    buy(member, 3)

    with pytest.raises(memberships.MembershipError) as refused:
        buy(member, 1, key="down")

    assert refused.value.code == "downgrade_while_active"
    assert coins(member) == 15_000


def test_not_enough_coins_buys_nothing():
    poor = UserFactory()
    grant(wallet_of(poor), 100)

    with pytest.raises(InsufficientFunds):
        buy(poor, 1)

    assert not OGMembership.objects.filter(user=poor).exists()
    assert coins(poor) == 100


def test_the_daily_bonus_pays_once_a_day(member):
    buy(member, 3)

    assert memberships.claim_og_daily_bonus(user=member) == 100
    with pytest.raises(memberships.MembershipError) as refused:
        memberships.claim_og_daily_bonus(user=member)

    assert refused.value.code == "bonus_claimed"
    assert coins(member) == 15_100


def test_members_pay_less_for_gifts_and_creators_still_earn_the_full_price(member):
    buy(member, 3)  # Gold: 5 % off
    stream = LiveStreamFactory()

    send_gift(
        sender=member,
        stream_id=stream.pk,
        gift_id=Gift.objects.get(slug="trophy").pk,
        idempotency_key="g",
    )

    assert coins(member) == 15_000 - 190
    assert get_wallet_summary(user=stream.host)["diamonds"] == 140
    assert audit_ledger().clean


def test_members_carry_a_coloured_badge_in_chat_and_gold_makes_an_entrance(
    member, monkeypatch, django_capture_on_commit_callbacks
):
    from streams.badges import badges_for

    buy(member, 3)
    stream = LiveStreamFactory()
    broadcasts = capture_broadcasts(monkeypatch)

    badges = badges_for(user=member, stream=stream, roles=frozenset())
    with django_capture_on_commit_callbacks(execute=True):
        presence.join_room(stream=stream, channel_name="socket-1", user=member)

    assert {"kind": "og", "tier": 3, "color": "#f5c542"} in badges
    (frame,) = broadcasts.of_type(events.ROOM_ENTRANCE)
    assert frame["entrance"]["tier"] == 3 and frame["user"]["username"] == member.username


def test_bronze_has_no_entrance_and_a_second_tab_makes_none(
    member, monkeypatch, django_capture_on_commit_callbacks
):
    stream = LiveStreamFactory()
    broadcasts = capture_broadcasts(monkeypatch)
    buy(member, 1)
    with django_capture_on_commit_callbacks(execute=True):
        presence.join_room(stream=stream, channel_name="socket-1", user=member)
    assert broadcasts.of_type(events.ROOM_ENTRANCE) == []

    buy(member, 4, key="up")
    with django_capture_on_commit_callbacks(execute=True):
        presence.join_room(stream=stream, channel_name="socket-2", user=member)
    assert broadcasts.of_type(events.ROOM_ENTRANCE) == []  # not the first socket


def test_lapsed_memberships_end_once_and_the_member_is_told(member):
    membership = buy(member, 2)
    OGMembership.objects.filter(pk=membership.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert end_lapsed_og_memberships() == 1
    assert end_lapsed_og_memberships() == 0

    note = Notification.objects.get(recipient=member)
    assert "membership has ended" in note.title
    with pytest.raises(memberships.MembershipError):
        memberships.claim_og_daily_bonus(user=member)


def test_the_og_page_lists_tiers_and_buys_one(client, member):
    client.force_login(member)

    page = client.get(reverse("economy:og"))
    assert page.status_code == 200
    assert "Gold" in page.content.decode()

    response = client.post(
        reverse("economy:og"), {"tier": tier(2).pk, "idempotency_key": "page"}, follow=True
    )
    assert "You are OG2 Silver until" in response.content.decode()
    assert coins(member) == 18_500
    profile = client.get(reverse("users:profile", args=[member.username])).content.decode()
    assert "OG2" in profile


def test_the_og_page_says_when_coins_are_short(client):
    poor = UserFactory()
    client.force_login(poor)

    response = client.post(reverse("economy:og"), {"tier": tier(5).pk}, follow=True)

    assert "do not have enough coins" in response.content.decode()
    assert not OGMembership.objects.filter(user=poor).exists()
