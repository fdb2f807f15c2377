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

__all__ = [
    "PARTNER_SHARE_PERCENT",
    "Account",
    "Asset",
    "CoinPackage",
    "CoinPackagePrice",
    "CreatorPartnership",
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
]
