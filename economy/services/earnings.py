"""What a creator earns when a viewer spends coins on them (gifts, subscriptions):
the coins go to platform revenue and diamond issuance pays the creator their partner
share. Both assets balance separately, so converting is two legs each."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from economy.models import (
    PARTNER_SHARE_PERCENT,
    Account,
    Asset,
    CreatorPartnership,
    PartnerTier,
)
from economy.services import ledger
from halobuzz.core.compiled_queries import CompiledQuery

PLATFORM_ACCOUNTS = {
    Account.Kind.PLATFORM_REVENUE: Asset.COINS,
    Account.Kind.DIAMOND_ISSUANCE: Asset.DIAMONDS,
}


def get_creator_share_percent(*, creator) -> int:
    """The creator's partner share; uses `creator.partnership` when it was loaded
    with select_related."""
    try:
        tier = creator.partnership.tier
    except CreatorPartnership.DoesNotExist:
        tier = None
    return share_percent_for_tier(tier)


def share_percent_for_tier(tier: str | None) -> int:
    """The share of a partner tier; a creator with none is an Affiliate."""
    return PARTNER_SHARE_PERCENT[tier or PartnerTier.AFFILIATE]


def diamonds_for(*, coins: int, share_percent: int) -> int:
    """The creator's diamonds for `coins` spent on them, rounded half up: every
    payment earns at least one diamond, so each one shows in the creator's earnings."""
    return (coins * settings.DIAMONDS_PER_COIN * share_percent + 50) // 100


@dataclass(frozen=True)
class CreatorPayment:
    postings: list[ledger.Posting]
    # The payer's coin wallet, whose balance after the transaction replies report.
    wallet: Account


def creator_payment(*, payer_id: int, creator_id: int, coins: int, diamonds: int) -> CreatorPayment:
    """The four legs of the payer paying `coins` that earn the creator `diamonds`,
    for the caller to post under its own kind and key."""
    accounts = _payment_accounts(payer_id=payer_id, creator_id=creator_id)
    wallet = accounts[Account.Kind.USER_COINS]
    return CreatorPayment(
        postings=[
            ledger.Posting(account=wallet, amount=-coins),
            ledger.Posting(account=accounts[Account.Kind.PLATFORM_REVENUE], amount=coins),
            ledger.Posting(account=accounts[Account.Kind.DIAMOND_ISSUANCE], amount=-diamonds),
            ledger.Posting(account=accounts[Account.Kind.CREATOR_DIAMONDS], amount=diamonds),
        ],
        wallet=wallet,
    )


ACCOUNT_FIELDS = ("id", "kind", "asset", "owner_id", "provider", "may_go_negative", "balance")

# Rendered once per process: every gift reads it (halobuzz.core.compiled_queries).
_PAYMENT_ACCOUNTS = CompiledQuery(
    lambda payer_id, creator_id: (
        Account.objects.filter(
            Q(owner_id=payer_id, kind=Account.Kind.USER_COINS)
            | Q(owner_id=creator_id, kind=Account.Kind.CREATOR_DIAMONDS)
            | Q(owner=None, provider="", kind__in=list(PLATFORM_ACCOUNTS))
        )
        .filter(Q(owner=None) | Q(provider=""))
        .values(*ACCOUNT_FIELDS)
    )
)


def _payment_accounts(*, payer_id: int, creator_id: int) -> dict[str, Account]:
    """The four accounts, read in one query and created on first use."""
    accounts = {}
    for row in _PAYMENT_ACCOUNTS.fetch_all(payer_id=payer_id, creator_id=creator_id):
        account = Account.from_db("default", list(row), list(row.values()))
        accounts[account.kind] = account
    if Account.Kind.USER_COINS not in accounts:
        accounts[Account.Kind.USER_COINS] = ledger.get_or_create_user_account_by_id(
            user_id=payer_id, kind=Account.Kind.USER_COINS
        )
    if Account.Kind.CREATOR_DIAMONDS not in accounts:
        accounts[Account.Kind.CREATOR_DIAMONDS] = ledger.get_or_create_user_account_by_id(
            user_id=creator_id, kind=Account.Kind.CREATOR_DIAMONDS
        )
    for kind, asset in PLATFORM_ACCOUNTS.items():
        if kind not in accounts:
            accounts[kind] = ledger.get_or_create_platform_account(kind=kind, asset=asset)
    return accounts
