"""Balances and histories as a reader should see them: the rolled-up balance plus the
entries not yet folded into it (economy.services.ledger)."""

from django.db.models import Q, Sum

from economy.models import Account, LedgerEntry


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


def get_wallet_summary(*, user) -> dict[str, int]:
    """{"coins", "diamonds", "coin_debt"} for the wallet page and the API, in one
    query."""
    summary = {"coins": 0, "diamonds": 0, "coin_debt": 0}
    accounts = Account.objects.filter(owner=user).annotate(
        pending=Sum("entries__amount", filter=Q(entries__rolled_up=False), default=0)
    )
    for account in accounts:
        balance = account.balance + account.pending
        if account.kind == Account.Kind.COIN_DEBT:
            summary["coin_debt"] += max(0, -balance)
        else:
            summary[account.asset] += balance
    return summary
