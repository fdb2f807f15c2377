from economy.models.gifts import (
    PARTNER_SHARE_PERCENT,
    CreatorPartnership,
    Gift,
    PartnerTier,
)
from economy.models.ledger import Account, Asset, LedgerEntry, LedgerTransaction
from economy.models.memberships import OGMembership, OGTier
from economy.models.payments import CoinPackage, CoinPackagePrice, Payment, PaymentEvent
from economy.models.payouts import PayoutMethod, PayoutRequest
from economy.models.subscriptions import (
    SUBSCRIPTION_DAYS,
    SUBSCRIPTION_PRICE_COINS,
    CreatorSubscription,
    CreatorSubscriptionSettings,
    SubscriptionLevel,
    SubscriptionPrice,
)

__all__ = [
    "PARTNER_SHARE_PERCENT",
    "SUBSCRIPTION_DAYS",
    "SUBSCRIPTION_PRICE_COINS",
    "Account",
    "Asset",
    "CoinPackage",
    "CoinPackagePrice",
    "CreatorPartnership",
    "CreatorSubscription",
    "CreatorSubscriptionSettings",
    "Gift",
    "LedgerEntry",
    "LedgerTransaction",
    "OGMembership",
    "OGTier",
    "PartnerTier",
    "Payment",
    "PaymentEvent",
    "PayoutMethod",
    "PayoutRequest",
    "SubscriptionLevel",
    "SubscriptionPrice",
]
