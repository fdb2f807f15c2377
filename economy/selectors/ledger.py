"""Balances and histories as a reader should see them: the rolled-up balance plus the
entries not yet folded into it (economy.services.ledger)."""

from django.db.models import Sum

from economy.models import Account, Asset, LedgerEntry


def get_account_balance(*, account: Account) -> int:
    pending = LedgerEntry.objects.filter(account=account, rolled_up=False).aggregate(
        total=Sum("amount")
    )["total"]
    return account.balance + (pending or 0)


def get_user_balance(*, user, kind: str) -> int:
    """0 for a user who has no such account yet."""
    account = Account.objects.filter(owner=user, kind=kind).first()
    return 0 if account is None else get_account_balance(account=account)


def list_user_history(*, user, asset: str = "", kind: str = ""):
    """Every entry on the user's own accounts, newest first, optionally of one asset
    or one kind of transaction."""
    entries = (
        LedgerEntry.objects.filter(account__owner=user)
        .select_related("transaction", "account")
        .order_by("-id")
    )
    if asset:
        entries = entries.filter(account__asset=asset)
    if kind:
        entries = entries.filter(transaction__kind=kind)
    return entries


def get_user_balances(*, user) -> dict[str, int]:
    """{"coins": n, "diamonds": n} for the user's wallet and earnings (0 if none)."""
    balances = {Asset.COINS: 0, Asset.DIAMONDS: 0}
    for account in Account.objects.filter(owner=user):
        balances[account.asset] += get_account_balance(account=account)
    return balances
