"""Gifts written in batches: the fast path for a busy room (docs/architecture.md,
"Gifts").

Concurrent sends in one process queue behind each other (halobuzz.core.group_commit)
and are written together: the batch reads its rooms and senders' standing in a
couple of queries, writes every payment it can in one statement
(economy.services.ledger_batch), then tells each room in one message and the
leaderboards in one call. Each sender gets the same answer the single path would
give: its own SentGift, or its own error.

Anything unusual goes down the single path (gift_orders.send_now), in order after
the batch: an order that fails a check (it may be a repeat after the stream ended),
a key already used or used twice in the batch, a wallet that cannot pay for all its
gifts in the batch, accounts that do not exist yet. The single path answers each
exactly as it always has, so the batch path only ever adds speed.
"""

import logging

from django.conf import settings

from economy import leaderboards
from economy.exceptions import GiftError
from economy.models import LedgerTransaction
from economy.selectors import gift_sending
from economy.services import gift_orders, ledger_batch
from economy.services.gift_orders import GiftOrder, PricedGift, SentGift
from halobuzz.core.exceptions import NotFoundError
from halobuzz.core.group_commit import GroupCommit
from streams import events
from streams.exceptions import RoomError

logger = logging.getLogger(__name__)


def can_batch() -> bool:
    return settings.GIFT_BATCHING and ledger_batch.can_write_in_batches()


def send(order: GiftOrder) -> SentGift:
    """Send the order in the next batch of this process; returns its SentGift or
    raises its error, as gift_orders.send_now does."""
    return _batches.submit(order)


def write_batch(orders: list[GiftOrder]) -> None:
    """Write the orders, settling each (halobuzz.core.group_commit)."""
    if len(orders) == 1:
        # A gift alone: the single path's three statements cost less than a batch's.
        _send_each(orders)
        return
    rooms = gift_sending.get_gift_rooms(pairs={(o.stream_id, o.sender.pk) for o in orders})
    batched: list[tuple[GiftOrder, PricedGift]] = []
    single: list[GiftOrder] = []
    keys = set()
    for order in orders:
        if order.key in keys:
            single.append(order)
            continue
        keys.add(order.key)
        try:
            priced = gift_orders.price(order, room=rooms.get((order.stream_id, order.sender.pk)))
        except (GiftError, RoomError, NotFoundError):
            single.append(order)
            continue
        batched.append((order, priced))
    try:
        written = ledger_batch.post_creator_payments(
            kind=LedgerTransaction.Kind.GIFT,
            orders=[
                ledger_batch.CreatorPaymentOrder(
                    idempotency_key=order.key,
                    payer_id=order.sender.pk,
                    creator_id=priced.room.host_id,
                    coins=priced.coins,
                    diamonds=priced.diamonds,
                    reference_type="stream",
                    reference_id=str(priced.room.stream_id),
                    memo=priced.memo,
                    details=priced.details,
                )
                for order, priced in batched
            ],
        )
    except Exception:
        # Nothing was written (one statement); the single path will say why.
        logger.warning("A batch of %s gifts fell back to one by one", len(batched), exc_info=True)
        written = {}
    frames_by_group: dict[str, list[dict]] = {}
    counts = []
    sent = []
    for order, priced in batched:
        payment = written.get(order.key)
        if payment is None:
            single.append(order)
            continue
        group = events.room_group(priced.room.stream_id)
        frames_by_group.setdefault(group, []).append(
            gift_orders.gift_frame(payment.transaction, order=order, priced=priced)
        )
        counts.append(gift_orders.counted(order, priced=priced))
        sent.append((order, SentGift(transaction=payment.transaction, created=True)))
    # The room hears of the gifts before their senders do, as on the single path.
    # The gifts are committed: a failure to tell of them must not fail their senders.
    try:
        for group, frames in frames_by_group.items():
            events.send_frames_to_group(group, frames)
        if counts:
            leaderboards.count_gifts(gifts=counts)
    except Exception:
        logger.exception("Could not announce a batch of %s gifts", len(sent))
    for order, result in sent:
        order.succeed(result)
    _send_each(single)


def _send_each(orders: list[GiftOrder]) -> None:
    for order in orders:
        try:
            order.succeed(gift_orders.send_now(order))
        except Exception as error:
            order.fail(error)


_batches = GroupCommit(write_batch, max_batch=settings.GIFT_BATCH_MAX)
