"""Coins HaloBuzz gives away (welcome bonuses, rewards), paid from the promotions
account so the ledger shows what promotions cost."""

from economy.models import Account, Asset, LedgerTransaction
from economy.services import ledger


def grant_coins(*, user, coins: int, reason: str, idempotency_key: str) -> ledger.PostedTransaction:
    """Credit `coins` to the user's wallet; once per idempotency key."""
    if not isinstance(coins, int) or coins <= 0:
        raise ValueError("A reward is a positive whole number of coins.")
    wallet = ledger.get_or_create_user_account(user=user, kind=Account.Kind.USER_COINS)
    promotions = ledger.get_or_create_platform_account(
        kind=Account.Kind.PROMOTIONS, asset=Asset.COINS
    )
    return ledger.post_transfer(
        kind=LedgerTransaction.Kind.REWARD,
        idempotency_key=f"reward:{idempotency_key}",
        source=promotions,
        destination=wallet,
        amount=coins,
        reference_type="user",
        reference_id=str(user.pk),
        memo=reason,
    )
