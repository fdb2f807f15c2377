"""Gifts written in batches (economy.services.gift_batches, ledger_batch): a batch is
two queries however many gifts it holds, each sender gets the answer the single path
would give, and whatever the batch cannot write goes down the single path."""

import threading

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from economy import leaderboards
from economy.audit import audit_ledger
from economy.exceptions import CoinDebtOutstanding, GiftError, InsufficientFunds
from economy.models import Account, Gift, LedgerTransaction
from economy.selectors import gift_sending
from economy.services import earnings, gift_batches, ledger, ledger_batch
from economy.services.gift_orders import GiftOrder
from economy.services.gifts import send_gift
from halobuzz.core.exceptions import NotFoundError
from streams import events
from streams.models import Stream
from tests.economy.concurrency import race
from tests.economy.ledger_helpers import coins, diamonds, earnings_of, grant, promotions, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import capture_broadcasts

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgresql", "catalog"),
]


@pytest.fixture
def stream():
    """A live room whose host and the platform already have their accounts."""
    room = LiveStreamFactory()
    earnings_of(room.host)
    for kind, asset in earnings.PLATFORM_ACCOUNTS.items():
        ledger.get_or_create_platform_account(kind=kind, asset=asset)
    return room


@pytest.fixture
def coffee():
    return Gift.objects.get(slug="coffee")  # 10 coins, 7 diamonds to an Affiliate


def viewer_with(amount: int):
    viewer = UserFactory()
    grant(wallet_of(viewer), amount)
    return viewer


def order(sender, stream_id: int, gift: Gift, key: str, *, quantity: int = 1) -> GiftOrder:
    return GiftOrder(
        sender=sender,
        stream_id=stream_id,
        gift_id=gift.pk,
        quantity=quantity,
        combo=1,
        key=f"gift:{sender.pk}:{key}",
    )


def outcome(gift_order: GiftOrder):
    assert gift_order.settled
    try:
        return gift_order.outcome()
    except Exception as error:
        return error


def test_a_batch_is_two_queries_and_one_message_to_the_room(stream, coffee, monkeypatch):
    viewers = [viewer_with(100) for _ in range(5)]
    orders = [order(viewer, stream.pk, coffee, "g") for viewer in viewers]
    broadcasts = capture_broadcasts(monkeypatch)
    messages = []
    monkeypatch.setattr(
        events,
        "send_frames_to_group",
        lambda group, frames: (messages.append(group), broadcasts.record_many(group, frames)),
    )
    counted = []
    monkeypatch.setattr(leaderboards, "_increment_boards", counted.append)
    assert gift_sending.get_gift(gift_id=coffee.pk) is not None  # the catalog is kept

    with CaptureQueriesContext(connection) as captured:
        gift_batches.write_batch(orders)

    assert len(captured.captured_queries) == 2
    sent = [outcome(gift_order) for gift_order in orders]
    assert all(gift.created for gift in sent)
    assert [gift.balance for gift in sent] == [90] * 5
    assert [coins(viewer) for viewer in viewers] == [90] * 5
    assert diamonds(stream.host) == 5 * 7
    assert messages == [events.room_group(stream.pk)]
    frames = broadcasts.of_type("gift.sent")
    assert [frame["id"] for frame in frames] == [gift.transaction.pk for gift in sent]
    assert [frame["sender"]["id"] for frame in frames] == [viewer.pk for viewer in viewers]
    assert len(counted) == 1
    assert len(counted[0]) == 5
    stored = LedgerTransaction.objects.get(pk=sent[0].transaction.pk)
    assert stored.details == sent[0].details
    assert stored.details["wallet"] == wallet_of(viewers[0]).pk
    assert stored.memo == "1 x Coffee"
    assert (stored.reference_type, stored.reference_id) == ("stream", str(stream.pk))
    assert audit_ledger().clean


def test_gifts_from_one_wallet_in_a_batch_each_report_the_balance_right_after_them(stream, coffee):
    viewer = viewer_with(100)
    orders = [order(viewer, stream.pk, coffee, f"g{n}", quantity=n) for n in (1, 2, 3)]

    gift_batches.write_batch(orders)

    sent = [outcome(gift_order) for gift_order in orders]
    assert [gift.balance for gift in sent] == [90, 70, 40]
    stored = LedgerTransaction.objects.filter(pk__in=[gift.transaction.pk for gift in sent])
    assert sorted(
        transaction.details["balances_after"][str(wallet_of(viewer).pk)] for transaction in stored
    ) == [40, 70, 90]
    assert coins(viewer) == 40
    assert diamonds(stream.host) == 6 * 7
    assert audit_ledger().clean


def test_a_wallet_short_for_its_gifts_in_a_batch_pays_for_those_it_can_in_order(stream, coffee):
    short = viewer_with(25)
    other = viewer_with(10)
    orders = [
        order(short, stream.pk, coffee, "first"),
        order(other, stream.pk, coffee, "other"),
        order(short, stream.pk, coffee, "second"),
        order(short, stream.pk, coffee, "third"),
    ]

    gift_batches.write_batch(orders)

    first, from_other, second, third = (outcome(gift_order) for gift_order in orders)
    assert (first.balance, second.balance) == (15, 5)
    assert from_other.balance == 0
    assert isinstance(third, InsufficientFunds)
    assert third.extra == {"asset": "coins", "needed": 10, "available": 5}
    assert coins(short) == 5
    assert diamonds(stream.host) == 3 * 7
    assert not LedgerTransaction.objects.filter(idempotency_key=orders[3].key).exists()
    assert audit_ledger().clean


def test_a_used_key_and_a_key_twice_in_one_batch_answer_as_the_first_send(stream, coffee):
    viewer = viewer_with(100)
    earlier = send_gift(
        sender=viewer, stream_id=stream.pk, gift_id=coffee.pk, idempotency_key="earlier"
    )
    orders = [
        order(viewer, stream.pk, coffee, "earlier"),
        order(viewer, stream.pk, coffee, "twice"),
        order(viewer, stream.pk, coffee, "twice"),
    ]

    gift_batches.write_batch(orders)

    repeat, twice, twice_again = (outcome(gift_order) for gift_order in orders)
    assert (repeat.created, repeat.transaction.pk) == (False, earlier.transaction.pk)
    assert twice.created is True
    assert (twice_again.created, twice_again.transaction.pk) == (False, twice.transaction.pk)
    assert coins(viewer) == 80
    assert audit_ledger().clean


def test_each_gift_that_fails_its_checks_gets_its_own_error_and_the_rest_are_sent(stream, coffee):
    viewer = viewer_with(100)
    ended = LiveStreamFactory(status=Stream.Status.ENDED)
    orders = [
        order(stream.host, stream.pk, coffee, "own"),
        order(viewer, ended.pk, coffee, "ended"),
        order(viewer, 10**9, coffee, "nowhere"),
        order(viewer, stream.pk, coffee, "fine"),
    ]

    gift_batches.write_batch(orders)

    own, to_ended, nowhere, fine = (outcome(gift_order) for gift_order in orders)
    assert isinstance(own, GiftError) and own.code == "own_stream"
    assert isinstance(to_ended, GiftError) and to_ended.code == "not_live"
    assert isinstance(nowhere, NotFoundError)
    assert fine.created is True
    assert coins(viewer) == 90
    assert audit_ledger().clean


def test_missing_accounts_and_coin_debt_take_the_single_path(coffee):
    new_room = LiveStreamFactory()  # its host has never earned: no earnings account
    owing = viewer_with(100)
    debt = ledger.get_or_create_user_account(user=owing, kind=Account.Kind.COIN_DEBT)
    ledger.post_transfer(
        kind=LedgerTransaction.Kind.REFUND,
        idempotency_key="owed",
        source=debt,
        destination=promotions(),
        amount=30,
    )
    viewer = viewer_with(100)
    orders = [
        order(viewer, new_room.pk, coffee, "first-earnings"),
        order(owing, new_room.pk, coffee, "while-owing"),
    ]

    gift_batches.write_batch(orders)

    first, while_owing = (outcome(gift_order) for gift_order in orders)
    assert first.created is True
    assert diamonds(new_room.host) == 7
    assert isinstance(while_owing, CoinDebtOutstanding)
    assert coins(owing) == 100
    assert audit_ledger().clean


def test_when_the_batch_statement_fails_every_gift_is_sent_one_by_one(stream, coffee, monkeypatch):
    def fail(**_arguments):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(ledger_batch, "post_creator_payments", fail)
    viewers = [viewer_with(100) for _ in range(3)]
    orders = [order(viewer, stream.pk, coffee, "g") for viewer in viewers]

    gift_batches.write_batch(orders)

    assert [outcome(gift_order).balance for gift_order in orders] == [90, 90, 90]
    assert diamonds(stream.host) == 3 * 7
    assert audit_ledger().clean


def test_senders_get_their_gifts_even_when_the_room_cannot_be_told(stream, coffee, monkeypatch):
    def layer_down(group, frames):
        raise ConnectionError("redis went away")

    monkeypatch.setattr(events, "send_frames_to_group", layer_down)
    viewers = [viewer_with(100) for _ in range(2)]
    orders = [order(viewer, stream.pk, coffee, "g") for viewer in viewers]

    gift_batches.write_batch(orders)

    assert [outcome(gift_order).created for gift_order in orders] == [True, True]
    assert [coins(viewer) for viewer in viewers] == [90, 90]


def test_concurrent_senders_share_batches_and_balances_stay_exact(stream, coffee, monkeypatch):
    viewers = [viewer_with(1000) for _ in range(20)]
    batch_sizes = []
    first_batch_may_go = threading.Event()
    write = gift_batches._batches._write_batch

    def held_first_batch(orders):
        # Hold the first batch until the other senders have queued behind it.
        if not batch_sizes:
            first_batch_may_go.wait(10)
        batch_sizes.append(len(orders))
        write(orders)

    monkeypatch.setattr(gift_batches._batches, "_write_batch", held_first_batch)

    def send(number):
        if number == 60:
            first_batch_may_go.set()
        return send_gift(
            sender=viewers[number % 20],
            stream_id=stream.pk,
            gift_id=coffee.pk,
            idempotency_key=f"g{number}",
        )

    results = race(send, range(100))

    assert not [result for result in results if isinstance(result, Exception)]
    assert sum(batch_sizes) == 100
    assert max(batch_sizes) > 1
    assert sorted(coins(viewer) for viewer in viewers) == [950] * 20
    assert diamonds(stream.host) == 100 * 7
    assert audit_ledger().clean
