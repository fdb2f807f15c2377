"""Sending gifts in a live room (docs/architecture.md, "Gifts").

One gift is one ledger transaction of four legs: the viewer's coins go to platform
revenue, and diamond issuance pays the creator their partner share (Affiliate 70 %,
Partner 80 %, Elite 85 %) of the coins' worth in diamonds. Only the viewer's wallet
row is locked; the creator and platform accounts take appended entries, so a creator
showered by thousands of viewers is not a queue (economy.services.ledger).

After the commit the room sees a `gift.sent` frame and the leaderboards count it.
The frame is momentary, not a numbered room event: numbering would lock the room's
counter row for every gift, making one busy room a queue again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from economy import leaderboards
from economy.exceptions import GiftError, IdempotencyKeyReused
from economy.models import Gift, LedgerTransaction
from economy.selectors import gift_sending
from economy.selectors.gift_sending import GiftRoom
from economy.services import earnings, ledger
from halobuzz.core.exceptions import NotFoundError
from streams import events
from streams.exceptions import RoomError
from streams.models import Stream
from streams.services.chat import ensure_can_take_part

GIFT_SENT = "gift.sent"


@dataclass(frozen=True)
class SentGift:
    transaction: LedgerTransaction
    # False when the idempotency key had been used: this is the first send's result.
    created: bool

    @property
    def details(self) -> dict:
        return self.transaction.details

    @property
    def balance(self) -> int:
        """The sender's coins right after this gift."""
        return self.details["balances_after"][str(self.details["wallet"])]


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
    _check_counts(quantity=quantity, combo=combo)
    key = f"gift:{sender.pk}:{idempotency_key}"
    try:
        room = _get_room(stream_id=stream_id, sender=sender)
        gift = _get_available_gift(gift_id, sender=sender)
    except (GiftError, RoomError, NotFoundError):
        # A repeat after the stream ended (or the sender was banned) still gets the
        # first send's answer.
        repeat = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if repeat is None:
            raise
        return _repeat_of(repeat, gift_id=gift_id, quantity=quantity, stream_id=stream_id)
    list_price = gift.price_coins * quantity
    discount = room.sender_gift_discount
    # The OG discount is the platform's: the viewer pays less, the creator still
    # earns on the full price.
    coins = list_price - list_price * discount // 100
    share = earnings.share_percent_for_tier(room.host_partner_tier)
    diamonds = earnings.diamonds_for(coins=list_price, share_percent=share)
    payment = earnings.creator_payment(
        payer_id=sender.pk, creator_id=room.host_id, coins=coins, diamonds=diamonds
    )
    details = {
        "gift": gift.pk,
        "quantity": quantity,
        "combo": combo,
        "stream": room.stream_id,
        "creator": room.host_id,
        "sender": sender.pk,
        "coins": coins,
        "list_price": list_price,
        "discount_percent": discount,
        "diamonds": diamonds,
        "share_percent": share,
        "wallet": payment.wallet.pk,
    }
    # post_transaction commits on its own; the frame and the counts follow the commit
    # (or the caller's, when it holds a transaction).
    try:
        posted = ledger.post_transaction(
            kind=LedgerTransaction.Kind.GIFT,
            idempotency_key=key,
            postings=payment.postings,
            reference_type="stream",
            reference_id=str(room.stream_id),
            memo=f"{quantity} x {gift.name}",
            details=details,
        )
    except IdempotencyKeyReused:
        # The same gift may cost a different amount now (an OG membership ended).
        repeat = LedgerTransaction.objects.get(idempotency_key=key)
        return _repeat_of(repeat, gift_id=gift_id, quantity=quantity, stream_id=stream_id)
    if not posted.created:
        return _repeat_of(
            posted.transaction, gift_id=gift_id, quantity=quantity, stream_id=stream_id
        )
    frame = events.build_frame(
        GIFT_SENT,
        id=posted.transaction.pk,
        sender=events.user_payload(sender),
        gift={**gift_payload(gift), "names": gift.names_by_language()},
        quantity=quantity,
        combo=combo,
        coins=coins,
    )
    events.broadcast_on_commit(events.room_group(room.stream_id), frame)
    leaderboards.count_gift_on_commit(
        stream_id=room.stream_id,
        sender_id=sender.pk,
        creator_id=room.host_id,
        coins=coins,
        diamonds=diamonds,
    )
    return SentGift(transaction=posted.transaction, created=True)


def gift_payload(gift: Gift) -> dict:
    """What clients need to show a gift (catalog, frames, API)."""
    return {
        "id": gift.pk,
        "slug": gift.slug,
        "name": gift.localized_name(),
        "icon": gift.icon,
        "image": gift.image.url if gift.image else None,
        "animation": gift.animation,
        "tier": gift.tier,
        "full_screen": gift.takes_the_screen,
        "price_coins": gift.price_coins,
    }


def _check_counts(*, quantity: int, combo: int) -> None:
    if not isinstance(quantity, int) or not 1 <= quantity <= settings.GIFT_MAX_QUANTITY:
        raise GiftError(
            _("Send between 1 and %(most)s of a gift at once.")
            % {"most": settings.GIFT_MAX_QUANTITY},
            code="invalid_quantity",
            extra={"max_quantity": settings.GIFT_MAX_QUANTITY},
        )
    if not isinstance(combo, int) or not 1 <= combo <= settings.GIFT_MAX_COMBO:
        raise GiftError(
            _("A combo counts from 1 to %(most)s.") % {"most": settings.GIFT_MAX_COMBO},
            code="invalid_combo",
        )


def _repeat_of(existing: LedgerTransaction, *, gift_id, quantity, stream_id) -> SentGift:
    first = existing.details
    if (first.get("gift"), first.get("quantity"), first.get("stream")) != (
        gift_id,
        quantity,
        stream_id,
    ):
        raise IdempotencyKeyReused()
    return SentGift(transaction=existing, created=False)


def _get_room(*, stream_id: int, sender) -> GiftRoom:
    """The live stream and what the gift needs to know about the sender there, in
    one query; raises when the sender may not send gifts in it."""
    room = gift_sending.get_gift_room(stream_id=stream_id, sender_id=sender.pk)
    if room is None:
        raise NotFoundError(_("This stream does not exist."), code="stream_not_found")
    if not room.is_live:
        raise GiftError(_("Gifts can only be sent while the stream is live."), code="not_live")
    if room.host_id == sender.pk:
        raise GiftError(_("You cannot send gifts to your own stream."), code="own_stream")
    if room.sender_may_be_restricted or not sender.is_active:
        ensure_can_take_part(user=sender, stream=Stream.objects.get(pk=room.stream_id))
    return room


def _get_available_gift(gift_id: int, *, sender) -> Gift:
    gift = gift_sending.get_gift(gift_id=gift_id)
    if gift is None or not gift.is_available_to(country=str(sender.country or "")):
        raise GiftError(_("This gift is not available."), code="gift_unavailable")
    return gift
