"""One gift, from the checks to the broadcast: the rules both ways of writing gifts
share (economy.services.gifts chooses the way), and the single path itself.

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
from halobuzz.core.group_commit import Item
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


class GiftOrder(Item):
    """A sender's request to send a gift, checked for its counts; `key` is the
    ledger's idempotency key."""

    __slots__ = ("combo", "gift_id", "key", "quantity", "sender", "stream_id")

    def __init__(self, *, sender, stream_id: int, gift_id: int, quantity: int, combo: int, key):
        super().__init__()
        self.sender = sender
        self.stream_id = stream_id
        self.gift_id = gift_id
        self.quantity = quantity
        self.combo = combo
        self.key = key


@dataclass(frozen=True)
class PricedGift:
    room: GiftRoom
    gift: Gift
    coins: int
    diamonds: int
    # Stored on the ledger transaction; the single path adds the wallet.
    details: dict

    @property
    def memo(self) -> str:
        return f"{self.details['quantity']} x {self.gift.name}"


def check_counts(*, quantity: int, combo: int) -> None:
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


def price(order: GiftOrder, *, room: GiftRoom | None) -> PricedGift:
    """What the order costs and earns in this room; raises when it cannot be sent
    (GiftError, RoomError, NotFoundError)."""
    room = _check_room(room, sender=order.sender)
    gift = gift_sending.get_gift(gift_id=order.gift_id)
    if gift is None or not gift.is_available_to(country=str(order.sender.country or "")):
        raise GiftError(_("This gift is not available."), code="gift_unavailable")
    list_price = gift.price_coins * order.quantity
    discount = room.sender_gift_discount
    # The OG discount is the platform's: the viewer pays less, the creator still
    # earns on the full price.
    coins = list_price - list_price * discount // 100
    share = earnings.share_percent_for_tier(room.host_partner_tier)
    diamonds = earnings.diamonds_for(coins=list_price, share_percent=share)
    details = {
        "gift": gift.pk,
        "quantity": order.quantity,
        "combo": order.combo,
        "stream": room.stream_id,
        "creator": room.host_id,
        "sender": order.sender.pk,
        "coins": coins,
        "list_price": list_price,
        "discount_percent": discount,
        "diamonds": diamonds,
        "share_percent": share,
    }
    return PricedGift(room=room, gift=gift, coins=coins, diamonds=diamonds, details=details)


def send_now(order: GiftOrder) -> SentGift:
    """The single path: this order alone, in its own ledger transaction (or the
    caller's, when it holds one). Answers repeats of the key and explains every
    refusal; the batch path sends here whatever it does not write itself."""
    try:
        priced = price(
            order,
            room=gift_sending.get_gift_room(stream_id=order.stream_id, sender_id=order.sender.pk),
        )
    except (GiftError, RoomError, NotFoundError):
        # A repeat after the stream ended (or the sender was banned) still gets the
        # first send's answer.
        repeat = LedgerTransaction.objects.filter(idempotency_key=order.key).first()
        if repeat is None:
            raise
        return repeat_of(repeat, order=order)
    payment = earnings.creator_payment(
        payer_id=order.sender.pk,
        creator_id=priced.room.host_id,
        coins=priced.coins,
        diamonds=priced.diamonds,
    )
    # post_transaction commits on its own; the frame and the counts follow the commit
    # (or the caller's, when it holds a transaction).
    try:
        posted = ledger.post_transaction(
            kind=LedgerTransaction.Kind.GIFT,
            idempotency_key=order.key,
            postings=payment.postings,
            reference_type="stream",
            reference_id=str(priced.room.stream_id),
            memo=priced.memo,
            details={**priced.details, "wallet": payment.wallet.pk},
        )
    except IdempotencyKeyReused:
        # The same gift may cost a different amount now (an OG membership ended).
        repeat = LedgerTransaction.objects.get(idempotency_key=order.key)
        return repeat_of(repeat, order=order)
    if not posted.created:
        return repeat_of(posted.transaction, order=order)
    events.broadcast_on_commit(
        events.room_group(priced.room.stream_id),
        gift_frame(posted.transaction, order=order, priced=priced),
    )
    leaderboards.count_gift_on_commit(gift=counted(order, priced=priced))
    return SentGift(transaction=posted.transaction, created=True)


def repeat_of(existing: LedgerTransaction, *, order: GiftOrder) -> SentGift:
    first = existing.details
    if (first.get("gift"), first.get("quantity"), first.get("stream")) != (
        order.gift_id,
        order.quantity,
        order.stream_id,
    ):
        raise IdempotencyKeyReused()
    return SentGift(transaction=existing, created=False)


def gift_frame(posted: LedgerTransaction, *, order: GiftOrder, priced: PricedGift) -> dict:
    return events.build_frame(
        GIFT_SENT,
        id=posted.pk,
        sender=events.user_payload(order.sender),
        gift={**gift_payload(priced.gift), "names": priced.gift.names_by_language()},
        quantity=order.quantity,
        combo=order.combo,
        coins=priced.coins,
    )


def counted(order: GiftOrder, *, priced: PricedGift) -> leaderboards.CountedGift:
    return leaderboards.CountedGift(
        stream_id=priced.room.stream_id,
        sender_id=order.sender.pk,
        creator_id=priced.room.host_id,
        coins=priced.coins,
        diamonds=priced.diamonds,
    )


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


def _check_room(room: GiftRoom | None, *, sender) -> GiftRoom:
    """The room, when the sender may send gifts in it."""
    if room is None:
        raise NotFoundError(_("This stream does not exist."), code="stream_not_found")
    if not room.is_live:
        raise GiftError(_("Gifts can only be sent while the stream is live."), code="not_live")
    if room.host_id == sender.pk:
        raise GiftError(_("You cannot send gifts to your own stream."), code="own_stream")
    if room.sender_may_be_restricted or not sender.is_active:
        ensure_can_take_part(user=sender, stream=Stream.objects.get(pk=room.stream_id))
    return room
