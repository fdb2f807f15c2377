"""Putting value into accounts for tests, through the ledger like everything else."""

import uuid

from economy.models import Account, Asset, LedgerTransaction
from economy.selectors.ledger import get_user_balance
from economy.services import ledger


def wallet_of(user) -> Account:
    return ledger.get_or_create_user_account(user=user, kind=Account.Kind.USER_COINS)


def earnings_of(user) -> Account:
    return ledger.get_or_create_user_account(user=user, kind=Account.Kind.CREATOR_DIAMONDS)


def promotions(asset: str = Asset.COINS) -> Account:
    return ledger.get_or_create_platform_account(kind=Account.Kind.PROMOTIONS, asset=asset)


def grant(account: Account, amount: int, *, key: str | None = None):
    """Credit `amount` to `account` from the promotions account of its asset."""
    return ledger.post_transfer(
        kind=LedgerTransaction.Kind.REWARD,
        idempotency_key=key or f"test-grant:{uuid.uuid4()}",
        source=promotions(account.asset),
        destination=account,
        amount=amount,
    )


def spend(account: Account, amount: int, *, key: str | None = None, to: Account | None = None):
    """Move `amount` out of `account` into the platform revenue account (or `to`)."""
    receiver = to or ledger.get_or_create_platform_account(
        kind=Account.Kind.PLATFORM_REVENUE, asset=account.asset
    )
    return ledger.post_transfer(
        kind=LedgerTransaction.Kind.GIFT,
        idempotency_key=key or f"test-spend:{uuid.uuid4()}",
        source=account,
        destination=receiver,
        amount=amount,
    )


def coins(user) -> int:
    """The user's coin balance as the wallet shows it."""
    return get_user_balance(user=user, kind=Account.Kind.USER_COINS)


def diamonds(user) -> int:
    """The creator's diamond balance as the earnings page shows it."""
    return get_user_balance(user=user, kind=Account.Kind.CREATOR_DIAMONDS)
