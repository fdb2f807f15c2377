"""Sending gifts in a live room (docs/architecture.md, "Gifts").

The rules of one gift, and the single path that writes it on its own, are in
economy.services.gift_orders. On PostgreSQL, outside a caller's transaction, gifts
sent at once in one process are written together (economy.services.gift_batches);
each sender still gets its own answer.
"""

from economy.services import gift_batches, gift_orders
from economy.services.gift_orders import GIFT_SENT, GiftOrder, SentGift, gift_payload

__all__ = ["GIFT_SENT", "SentGift", "gift_payload", "send_gift"]


def send_gift(
    *,
    sender,
    stream_id: int,
    gift_id: int,
    quantity: int = 1,
    combo: int = 1,
    idempotency_key: str,
) -> SentGift:
    """Send `quantity` of a gift to the stream's host, once per idempotency key.

    `combo` is the sender's streak of quick repeats, shown in the animation. Raises
    GiftError (stream not live, own stream, gift unavailable, bad quantity),
    RoomError when the sender may not take part in the room, InsufficientFunds or
    CoinDebtOutstanding (nothing moves), IdempotencyKeyReused.
    """
    gift_orders.check_counts(quantity=quantity, combo=combo)
    order = GiftOrder(
        sender=sender,
        stream_id=stream_id,
        gift_id=gift_id,
        quantity=quantity,
        combo=combo,
        key=f"gift:{sender.pk}:{idempotency_key}",
    )
    if gift_batches.can_batch():
        return gift_batches.send(order)
    return gift_orders.send_now(order)
