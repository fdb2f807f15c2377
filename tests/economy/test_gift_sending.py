"""What sending a gift reads (economy.selectors.gift_sending): the catalog kept in the
process and forgotten when staff save a gift, and the room with the sender's standing
in it (bans, OG discount, the host's partner tier) read in one query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from economy.exceptions import GiftError
from economy.models import (
    CreatorPartnership,
    Gift,
    LedgerTransaction,
    OGMembership,
    OGTier,
    PartnerTier,
)
from economy.selectors import gift_sending
from economy.selectors.gift_sending import get_gift, get_gift_room
from economy.services import memberships
from economy.services.gifts import send_gift
from streams.exceptions import RoomError
from streams.models import Stream
from tests.economy.ledger_helpers import coins, diamonds, grant, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory
from tests.streams.room_factories import ChannelBanFactory, TimeoutFactory
from tests.trust.factories import SiteBanFactory

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
    return Gift.objects.get(slug="rose")  # 1 coin


def send(viewer, stream, gift, *, key="k1"):
    return send_gift(sender=viewer, stream_id=stream.pk, gift_id=gift.pk, idempotency_key=key)


def room_of(viewer, stream):
    return get_gift_room(stream_id=stream.pk, sender_id=viewer.pk)


def no_gifts_sent() -> bool:
    return not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.GIFT).exists()


# --- The catalog ---------------------------------------------------------------------


def test_get_gift_returns_the_row_and_none_for_an_unknown_id(rose):
    found = get_gift(gift_id=rose.pk)

    assert found == rose
    assert (found.slug, found.price_coins, found.is_active) == ("rose", rose.price_coins, True)
    missing_id = Gift.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    assert get_gift(gift_id=missing_id) is None


def test_the_catalog_is_read_once_while_it_is_kept(rose, django_assert_num_queries):
    get_gift(gift_id=rose.pk)

    with django_assert_num_queries(0):
        assert get_gift(gift_id=rose.pk) == rose
        assert get_gift(gift_id=rose.pk) == rose


def test_a_gift_switched_off_in_the_admin_is_refused_at_the_very_next_send(viewer, stream, rose):
    send(viewer, stream, rose, key="before")
    assert coins(viewer) == 999

    rose.is_active = False
    rose.save()  # what the admin's change form does

    with pytest.raises(GiftError) as refused:
        send(viewer, stream, rose, key="after")
    assert refused.value.code == "gift_unavailable"
    assert coins(viewer) == 999
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.GIFT).count() == 1


def test_a_gift_switched_back_on_in_the_admin_can_be_sent_at_once(viewer, stream, rose):
    rose.is_active = False
    rose.save()
    with pytest.raises(GiftError):
        send(viewer, stream, rose, key="while-off")

    rose.is_active = True
    rose.save()

    assert send(viewer, stream, rose, key="back-on").created
    assert coins(viewer) == 999


def test_a_deleted_gift_is_forgotten_at_once():
    gift = Gift.objects.create(slug="one-off", name="One-off", icon="*", price_coins=3)
    assert get_gift(gift_id=gift.pk) == gift
    gift_id = gift.pk

    gift.delete()

    assert get_gift(gift_id=gift_id) is None


def test_an_edit_without_signals_is_seen_once_the_kept_copy_is_old(rose, monkeypatch):
    get_gift(gift_id=rose.pk)
    Gift.objects.filter(pk=rose.pk).update(price_coins=7)  # no post_save

    assert get_gift(gift_id=rose.pk).price_coins == rose.price_coins

    monkeypatch.setattr(
        gift_sending,
        "_loaded_at",
        gift_sending._loaded_at - gift_sending.CATALOG_SECONDS - 1,
    )
    assert get_gift(gift_id=rose.pk).price_coins == 7


# --- The room ------------------------------------------------------------------------


def test_the_gift_room_of_a_live_stream_for_a_sender_in_good_standing(viewer, stream):
    room = room_of(viewer, stream)

    assert room == gift_sending.GiftRoom(
        stream_id=stream.pk,
        host_id=stream.host_id,
        is_live=True,
        host_partner_tier=None,
        sender_may_be_restricted=False,
        sender_gift_discount=0,
    )


def test_the_gift_room_says_when_a_stream_is_not_live_and_is_none_when_there_is_none(viewer):
    ended = EndedStreamFactory()
    interrupted = LiveStreamFactory(status=Stream.Status.INTERRUPTED)

    assert room_of(viewer, ended).is_live is False
    assert room_of(viewer, interrupted).is_live is True
    missing_id = Stream.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    assert get_gift_room(stream_id=missing_id, sender_id=viewer.pk) is None


def test_the_same_room_reads_differently_for_each_sender(stream):
    banned, welcome = UserFactory(), UserFactory()
    SiteBanFactory(user=banned)

    assert room_of(banned, stream).sender_may_be_restricted is True
    assert room_of(welcome, stream).sender_may_be_restricted is False
    assert room_of(banned, stream).sender_may_be_restricted is True


def test_a_site_ban_in_force_may_restrict_the_sender(viewer, stream):
    SiteBanFactory(user=viewer)

    assert room_of(viewer, stream).sender_may_be_restricted is True


def test_a_site_ban_that_ends_later_may_restrict_the_sender(viewer, stream):
    SiteBanFactory(user=viewer, expires_at=timezone.now() + timedelta(hours=1))

    assert room_of(viewer, stream).sender_may_be_restricted is True


@pytest.mark.parametrize(
    "ended",
    [
        pytest.param({"lifted_at": timezone.now}, id="lifted"),
        pytest.param({"expires_at": lambda: timezone.now() - timedelta(minutes=1)}, id="expired"),
    ],
)
def test_a_site_ban_that_ended_does_not_restrict_the_sender(viewer, stream, ended):
    SiteBanFactory(user=viewer, **{field: make() for field, make in ended.items()})

    assert room_of(viewer, stream).sender_may_be_restricted is False


@pytest.mark.parametrize("factory", [ChannelBanFactory, TimeoutFactory], ids=["ban", "timeout"])
def test_a_ban_in_the_hosts_channel_may_restrict_the_sender(viewer, stream, factory):
    factory(channel=stream.host, user=viewer)

    assert room_of(viewer, stream).sender_may_be_restricted is True


def test_a_ban_in_another_channel_does_not_restrict_the_sender(viewer, stream):
    ChannelBanFactory(user=viewer)  # some other creator's channel
    SiteBanFactory(user=UserFactory())  # someone else's site ban
    ChannelBanFactory(channel=stream.host, user=UserFactory())  # someone else, here

    assert room_of(viewer, stream).sender_may_be_restricted is False


@pytest.mark.parametrize(
    "ended",
    [
        pytest.param({"lifted_at": timezone.now}, id="lifted"),
        pytest.param({"expires_at": lambda: timezone.now() - timedelta(seconds=1)}, id="expired"),
    ],
)
def test_a_channel_ban_that_ended_does_not_restrict_the_sender(viewer, stream, ended):
    ChannelBanFactory(
        channel=stream.host, user=viewer, **{field: make() for field, make in ended.items()}
    )

    assert room_of(viewer, stream).sender_may_be_restricted is False


def test_the_gift_discount_follows_a_running_og_membership_and_ends_with_it(viewer, stream):
    grant(wallet_of(viewer), 5000)
    assert room_of(viewer, stream).sender_gift_discount == 0

    memberships.buy_og_membership(
        user=viewer, tier_id=OGTier.objects.get(tier=3).pk, idempotency_key="gold"
    )
    assert room_of(viewer, stream).sender_gift_discount == 5  # Gold

    OGMembership.objects.filter(user=viewer).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert room_of(viewer, stream).sender_gift_discount == 0


def test_a_membership_without_a_discount_reads_as_no_discount(viewer, stream):
    memberships.buy_og_membership(
        user=viewer, tier_id=OGTier.objects.get(tier=1).pk, idempotency_key="bronze"
    )

    assert room_of(viewer, stream).sender_gift_discount == 0  # Bronze


def test_another_members_discount_is_not_the_senders(viewer, stream):
    member = UserFactory()
    grant(wallet_of(member), 5000)
    memberships.buy_og_membership(
        user=member, tier_id=OGTier.objects.get(tier=3).pk, idempotency_key="gold"
    )

    assert room_of(viewer, stream).sender_gift_discount == 0
    assert room_of(member, stream).sender_gift_discount == 5


def test_the_hosts_partner_tier_is_none_without_a_partnership(viewer, stream):
    assert room_of(viewer, stream).host_partner_tier is None


@pytest.mark.parametrize("tier", list(PartnerTier))
def test_the_hosts_partner_tier_is_read_with_the_room(viewer, stream, tier):
    CreatorPartnership.objects.create(creator=stream.host, tier=tier)

    assert room_of(viewer, stream).host_partner_tier == tier


# --- Refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("restrict", "code"),
    [
        pytest.param(lambda viewer, stream: SiteBanFactory(user=viewer), "site_banned", id="site"),
        pytest.param(
            lambda viewer, stream: ChannelBanFactory(channel=stream.host, user=viewer),
            "channel_banned",
            id="channel",
        ),
        pytest.param(
            lambda viewer, stream: TimeoutFactory(channel=stream.host, user=viewer),
            "timed_out",
            id="timeout",
        ),
    ],
)
def test_a_restricted_sender_cannot_gift_and_nothing_moves(viewer, stream, rose, restrict, code):
    restrict(viewer, stream)

    with pytest.raises(RoomError) as refused:
        send(viewer, stream, rose)

    assert refused.value.code == code
    assert coins(viewer) == 1000
    assert diamonds(stream.host) == 0
    assert no_gifts_sent()


def test_a_site_ban_wins_over_a_channel_ban(viewer, stream, rose):
    ChannelBanFactory(channel=stream.host, user=viewer)
    SiteBanFactory(user=viewer)

    with pytest.raises(RoomError) as refused:
        send(viewer, stream, rose)

    assert refused.value.code == "site_banned"


def test_an_inactive_account_cannot_gift(viewer, stream, rose):
    viewer.is_active = False
    viewer.save()

    with pytest.raises(RoomError) as refused:
        send(viewer, stream, rose)

    assert refused.value.code == "account_inactive"
    assert coins(viewer) == 1000
    assert no_gifts_sent()


def test_a_sender_banned_elsewhere_or_no_longer_banned_can_gift(viewer, stream, rose):
    ChannelBanFactory(user=viewer)
    ChannelBanFactory(channel=stream.host, user=viewer, lifted_at=timezone.now())
    SiteBanFactory(user=viewer, expires_at=timezone.now() - timedelta(minutes=1))

    sent = send(viewer, stream, rose)

    assert sent.created
    assert coins(viewer) == 999
