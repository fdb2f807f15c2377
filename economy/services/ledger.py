"""Posting to the ledger: the only code that writes `LedgerTransaction`,
`LedgerEntry` or an account's balance (docs/architecture.md, "The ledger").

Locking policy. A posting locks nothing that another user's posting needs:

- A debit of an account that must not go negative (a user's wallet or earnings) is a
  conditional `UPDATE ... SET balance = balance - n WHERE balance >= n`: it holds that
  one row until commit and fails cleanly when the money is not there. Two concurrent
  spends of the last coin: one updates, the other matches no row.
- Everything else (credits, and debits of platform accounts, which may go negative)
  is appended with `rolled_up=False` and touches no account row; `roll_up_account`
  folds those entries into the cached balance later, under the account's row lock.

So a gift locks only its sender's wallet row; the creator's earnings and the
platform's revenue take appends only, however many gifts arrive at once.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from economy.exceptions import IdempotencyKeyReused, InsufficientFunds, UnbalancedTransaction
from economy.models import Account, Asset, LedgerEntry, LedgerTransaction

IDEMPOTENCY_KEY_MAX_LENGTH = 200


@dataclass(frozen=True)
class Posting:
    """One leg of a transaction: `amount` (non-zero, in the account's asset) into
    `account`; negative takes from it."""

    account: Account
    amount: int


@dataclass(frozen=True)
class PostedTransaction:
    transaction: LedgerTransaction
    # False when the idempotency key had been used: nothing moved this time.
    created: bool


def post_transaction(
    *,
    kind: str,
    idempotency_key: str,
    postings: list[Posting],
    reference_type: str = "",
    reference_id: str = "",
    memo: str = "",
    created_by=None,
) -> PostedTransaction:
    """Move value: all postings or none, once per idempotency key.

    Raises InsufficientFunds when a debit would take an account that must not go
    negative below zero (nothing moves), IdempotencyKeyReused when the key was used
    for a different request, UnbalancedTransaction for postings that do not balance.
    A repeat of the same request returns the first transaction with created=False.
    """
    _check_postings(postings, idempotency_key=idempotency_key)
    request = _signature(kind, postings)
    try:
        with transaction.atomic():
            ledger_transaction = LedgerTransaction.objects.create(
                kind=kind,
                idempotency_key=idempotency_key,
                reference_type=reference_type,
                reference_id=str(reference_id),
                memo=memo,
                created_by=created_by,
            )
            _apply_postings(ledger_transaction, postings)
    except IntegrityError:
        # Another request with this key committed first (PostgreSQL waited for it).
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        if _stored_signature(existing) != request:
            raise IdempotencyKeyReused() from None
        return PostedTransaction(transaction=existing, created=False)
    return PostedTransaction(transaction=ledger_transaction, created=True)


def post_transfer(
    *,
    kind: str,
    idempotency_key: str,
    source: Account,
    destination: Account,
    amount: int,
    **details,
) -> PostedTransaction:
    """The two-leg case of post_transaction: `amount` from `source` into `destination`
    (a negative amount moves the other way). `details` are post_transaction's
    reference_type, reference_id, memo and created_by."""
    return post_transaction(
        kind=kind,
        idempotency_key=idempotency_key,
        postings=[
            Posting(account=destination, amount=amount),
            Posting(account=source, amount=-amount),
        ],
        **details,
    )


def _check_postings(postings: list[Posting], *, idempotency_key: str) -> None:
    if not idempotency_key or len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise UnbalancedTransaction("the idempotency key must be 1-200 characters")
    if len(postings) < 2:
        raise UnbalancedTransaction("at least two postings")
    totals: dict[str, int] = defaultdict(int)
    for posting in postings:
        if not isinstance(posting.amount, int) or isinstance(posting.amount, bool):
            raise UnbalancedTransaction("amounts are whole numbers")
        if posting.amount == 0:
            raise UnbalancedTransaction("no zero postings")
        totals[posting.account.asset] += posting.amount
    unbalanced = {asset: total for asset, total in totals.items() if total}
    if unbalanced:
        raise UnbalancedTransaction(f"totals per asset {unbalanced}")


def _apply_postings(ledger_transaction: LedgerTransaction, postings: list[Posting]) -> None:
    # Debits that need a row lock go first and in account order, so two transactions
    # debiting the same accounts always lock them in the same order.
    guarded = sorted(
        (p for p in postings if p.amount < 0 and not p.account.may_go_negative),
        key=lambda p: p.account.pk,
    )
    for posting in guarded:
        _debit_guarded_account(posting.account, -posting.amount)
    guarded_ids = {id(p) for p in guarded}
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            transaction=ledger_transaction,
            account=posting.account,
            amount=posting.amount,
            rolled_up=id(posting) in guarded_ids,
        )
        for posting in postings
    )


def _debit_guarded_account(account: Account, amount: int) -> None:
    if _take_from_balance(account.pk, amount):
        return
    # The cached balance may not hold credits that arrived since the last roll-up.
    roll_up_account(account_id=account.pk)
    if _take_from_balance(account.pk, amount):
        return
    available = Account.objects.filter(pk=account.pk).values_list("balance", flat=True).get()
    raise InsufficientFunds(asset=account.asset, needed=amount, available=available)


def _take_from_balance(account_id: int, amount: int) -> bool:
    return bool(
        Account.objects.filter(pk=account_id, balance__gte=amount).update(
            balance=F("balance") - amount
        )
    )


def roll_up_account(*, account_id: int) -> int:
    """Fold the account's committed, not yet rolled-up entries into its balance;
    returns the amount added. Entries of transactions still in flight are invisible
    here and are folded next time."""
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account_id).values_list("pk").get()
        pending = list(
            LedgerEntry.objects.select_for_update()
            .filter(account_id=account_id, rolled_up=False)
            .values_list("pk", "amount")
        )
        if not pending:
            return 0
        added = sum(amount for _, amount in pending)
        LedgerEntry.objects.filter(pk__in=[pk for pk, _ in pending]).update(rolled_up=True)
        Account.objects.filter(pk=account_id).update(balance=F("balance") + added)
    return added


def roll_up_pending_balances(*, limit: int = 1000) -> int:
    """Roll up every account with pending entries (at most `limit` accounts);
    returns how many were rolled up."""
    account_ids = list(
        LedgerEntry.objects.filter(rolled_up=False)
        .values_list("account_id", flat=True)
        .distinct()[:limit]
    )
    for account_id in account_ids:
        roll_up_account(account_id=account_id)
    return len(account_ids)


def _signature(kind: str, postings: list[Posting]) -> tuple:
    return (kind, tuple(sorted((p.account.pk, p.amount) for p in postings)))


def _stored_signature(ledger_transaction: LedgerTransaction) -> tuple:
    entries = ledger_transaction.entries.values_list("account_id", "amount")
    return (ledger_transaction.kind, tuple(sorted(entries)))


# --- Accounts ------------------------------------------------------------------------

USER_ACCOUNT_ASSETS = {
    Account.Kind.USER_COINS: Asset.COINS,
    Account.Kind.CREATOR_DIAMONDS: Asset.DIAMONDS,
}


def get_or_create_user_account(*, user, kind: str) -> Account:
    """A user's coin wallet or diamond earnings, created on first use."""
    account, _ = Account.objects.get_or_create(
        kind=kind, asset=USER_ACCOUNT_ASSETS[kind], owner=user, provider=""
    )
    return account


def get_or_create_platform_account(*, kind: str, asset: str, provider: str = "") -> Account:
    """A HaloBuzz-owned account (revenue, clearing, promotions...), which may go
    negative: issuing coins or diamonds is what it is for."""
    account, _ = Account.objects.get_or_create(
        kind=kind, asset=asset, owner=None, provider=provider, defaults={"may_go_negative": True}
    )
    return account
