"""Sending gifts: coins leave the viewer, the creator earns their partner share in
diamonds, the room sees it, and nothing moves when anything is wrong."""

from datetime import timedelta

import pytest
from django.utils import timezone

from economy.audit import audit_ledger
from economy.exceptions import GiftError, IdempotencyKeyReused, InsufficientFunds
from economy.models import CreatorPartnership, Gift, LedgerTransaction, PartnerTier
from economy.services.earnings import diamonds_for
from economy.services.gifts import send_gift
from streams.exceptions import RoomError
from streams.models import ChannelBan
from tests.economy.ledger_helpers import coins, diamonds, grant, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory
from tests.streams.room_factories import capture_broadcasts

pytestmark = pytest.mark.django_db


@pytest.fixture
def stream():
    return LiveStreamFactory()


@pytest.fixture
def viewer():
    user = UserFactory()
    grant(wallet_of(user), 1000)
    return user


@pytest.fixture
def rose():
    return Gift.objects.get(slug="rose")


@pytest.fixture
def trophy():
    return Gift.objects.get(slug="trophy")  # 200 coins


def send(viewer, stream, gift, *, key="k1", quantity=1, combo=1):
    return send_gift(
        sender=viewer,
        stream_id=stream.pk,
        gift_id=gift.pk,
        quantity=quantity,
        combo=combo,
        idempotency_key=key,
    )


def test_the_catalog_is_seeded_with_regional_gifts_in_every_tier():
    gifts = Gift.objects.all()
    assert gifts.count() >= 20
    assert {gift.tier for gift in gifts} == {"small", "medium", "large", "legendary"}
    assert Gift.objects.get(slug="kite").localized_name("ne") == "दशैंको चंगा"
    assert "NP" in [str(code) for code in Gift.objects.get(slug="kite").available_countries]


def test_a_gift_moves_coins_to_the_platform_and_the_affiliate_share_to_the_creator(
    viewer, stream, trophy, monkeypatch, django_capture_on_commit_callbacks
):
    broadcasts = capture_broadcasts(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        sent = send(viewer, stream, trophy, quantity=2, combo=3)

    assert sent.created
    assert sent.balance == 600
    assert coins(viewer) == 600
    assert diamonds(stream.host) == 280  # 70 % of 400
    transaction = sent.transaction
    assert transaction.kind == LedgerTransaction.Kind.GIFT
    assert (transaction.reference_type, transaction.reference_id) == ("stream", str(stream.pk))
    (frame,) = broadcasts.of_type("gift.sent")
    assert frame["quantity"] == 2 and frame["combo"] == 3 and frame["coins"] == 400
    assert frame["gift"]["slug"] == "trophy"
    assert frame["sender"]["username"] == viewer.username
    assert "seq" not in frame  # momentary: no room counter to lock
    assert audit_ledger().clean


@pytest.mark.parametrize(
    ("tier", "expected"),
    [(PartnerTier.AFFILIATE, 140), (PartnerTier.PARTNER, 160), (PartnerTier.ELITE, 170)],
)
def test_the_creator_earns_their_partner_tier_share(viewer, stream, trophy, tier, expected):
    CreatorPartnership.objects.create(creator=stream.host, tier=tier)

    send(viewer, stream, trophy)

    assert diamonds(stream.host) == expected


def test_the_smallest_gift_still_earns_a_diamond():
    assert diamonds_for(coins=1, share_percent=70) == 1
    assert diamonds_for(coins=10, share_percent=85) == 9  # 8.5 rounds up
    assert diamonds_for(coins=3, share_percent=70) == 2  # 2.1 rounds down


def test_a_gift_the_viewer_cannot_afford_moves_nothing_and_says_how_many_coins_are_missing(
    stream, trophy, monkeypatch, django_capture_on_commit_callbacks
):
    broadcasts = capture_broadcasts(monkeypatch)
    poor = UserFactory()
    grant(wallet_of(poor), 150)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(InsufficientFunds) as refused,
    ):
        send(poor, stream, trophy)

    assert refused.value.code == "insufficient_coins"
    assert refused.value.extra == {"asset": "coins", "needed": 200, "available": 150}
    assert coins(poor) == 150
    assert diamonds(stream.host) == 0
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.GIFT).exists()
    assert broadcasts.of_type("gift.sent") == []


def test_repeating_an_idempotency_key_sends_once_and_answers_as_the_first_time(
    viewer, stream, rose
):
    first = send(viewer, stream, rose, key="same")
    again = send(viewer, stream, rose, key="same")

    assert again.created is False
    assert again.transaction.pk == first.transaction.pk
    assert again.balance == first.balance == 999
    assert coins(viewer) == 999


def test_an_idempotency_key_reused_for_another_gift_is_refused(viewer, stream, rose, trophy):
    send(viewer, stream, rose, key="same")

    with pytest.raises(IdempotencyKeyReused):
        send(viewer, stream, trophy, key="same")
    assert coins(viewer) == 999


def test_keys_belong_to_their_sender(stream, rose):
    first, second = UserFactory(), UserFactory()
    grant(wallet_of(first), 5)
    grant(wallet_of(second), 5)

    send(first, stream, rose, key="shared")
    send(second, stream, rose, key="shared")

    assert coins(first) == coins(second) == 4


def test_gifts_only_go_to_live_streams(viewer, rose):
    with pytest.raises(GiftError) as refused:
        send(viewer, EndedStreamFactory(), rose)
    assert refused.value.code == "not_live"


def test_a_host_cannot_gift_their_own_stream(stream, rose):
    grant(wallet_of(stream.host), 10)

    with pytest.raises(GiftError) as refused:
        send(stream.host, stream, rose)
    assert refused.value.code == "own_stream"


def test_a_viewer_banned_from_the_channel_cannot_gift(viewer, stream, rose):
    ChannelBan.objects.create(
        channel=stream.host, user=viewer, reason="spam", created_by=stream.host
    )

    with pytest.raises(RoomError) as refused:
        send(viewer, stream, rose)
    assert refused.value.code == "channel_banned"
    assert coins(viewer) == 1000


def test_inactive_regional_and_out_of_season_gifts_cannot_be_sent(viewer, stream, rose):
    kite = Gift.objects.get(slug="kite")  # Nepal only
    viewer.country = "BR"
    viewer.save()
    with pytest.raises(GiftError) as refused:
        send(viewer, stream, kite)
    assert refused.value.code == "gift_unavailable"

    rose.available_until = timezone.now() - timedelta(days=1)
    rose.available_from = timezone.now() - timedelta(days=2)
    rose.save()
    with pytest.raises(GiftError):
        send(viewer, stream, rose, key="k2")

    Gift.objects.filter(slug="heart").update(is_active=False)
    with pytest.raises(GiftError):
        send(viewer, stream, Gift.objects.get(slug="heart"), key="k3")
    assert coins(viewer) == 1000


@pytest.mark.parametrize(("quantity", "combo"), [(0, 1), (100, 1), (1, 0), (1, 1000)])
def test_quantities_and_combos_out_of_range_are_refused(viewer, stream, rose, quantity, combo):
    with pytest.raises(GiftError):
        send(viewer, stream, rose, quantity=quantity, combo=combo)
    assert coins(viewer) == 1000
