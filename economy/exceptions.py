"""Errors raised by economy services, each with a stable code for the API and the UI."""

from django.utils.translation import gettext_lazy as _

from halobuzz.core.exceptions import ApplicationError


class EconomyError(ApplicationError):
    pass


class InsufficientFunds(EconomyError):
    status = 402

    def __init__(self, *, asset: str, needed: int, available: int):
        messages = {
            "coins": _("You do not have enough coins. Buy coins to continue."),
            "diamonds": _("You do not have enough diamonds for that."),
        }
        super().__init__(
            messages.get(asset, _("Not enough balance.")),
            code="insufficient_coins" if asset == "coins" else "insufficient_diamonds",
            extra={"asset": asset, "needed": needed, "available": available},
        )


class IdempotencyKeyReused(EconomyError):
    status = 409

    def __init__(self):
        super().__init__(
            _("This idempotency key was already used for a different request."),
            code="idempotency_key_reused",
        )


class UnbalancedTransaction(EconomyError):
    """A programming error: postings that do not sum to zero per asset."""

    def __init__(self, detail: str):
        super().__init__(
            _("A ledger transaction must balance: %(detail)s") % {"detail": detail},
            code="unbalanced_transaction",
        )


class CoinDebtOutstanding(EconomyError):
    """Coins were taken back by a refund or chargeback after being spent; the rest is
    owed, and the wallet cannot be spent until a purchase settles it."""

    status = 402

    def __init__(self, *, owed: int):
        super().__init__(
            _(
                "You owe %(owed)s coins from a refunded purchase. Buy coins to settle it "
                "before spending again."
            )
            % {"owed": owed},
            code="coin_debt",
            extra={"owed": owed},
        )


class GiftError(EconomyError):
    """A gift that cannot be sent (stream not live, gift unavailable...)."""


class PaymentError(EconomyError):
    """A purchase that cannot start or a payment message that cannot be used."""
