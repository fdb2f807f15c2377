"""Posting to the ledger: the only code that writes `LedgerTransaction`,
`LedgerEntry` or an account's balance (docs/architecture.md, "The ledger").

Locking policy. A posting locks nothing that another user's posting needs:

- A debit of an account that must not go negative (a user's wallet or earnings) is a
  conditional `UPDATE ... SET balance = balance - n WHERE balance >= n`: it holds that
  one row until commit and fails cleanly when the money is not there. Two concurrent
  spends of the last coin: one updates, the other matches no row.
- A user's coin wallet and coin debt are always written that way (credits too), so
  their cached balance is exact at every commit: the wallet page and a gift's reply
  show it without adding anything up. Only their owner's actions touch them.
- Everything else (credits to creators' earnings and platform accounts, and debits
  of platform accounts, which may go negative) is appended with `rolled_up=False`
  and touches no account row; `roll_up_account` folds those entries into the cached
  balance later, under the account's row lock.

So a gift locks only its sender's wallet row; the creator's earnings and the
platform's revenue take appends only, however many gifts arrive at once. Rows are
locked in account order, so two transactions never wait on each other in a circle.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from economy.exceptions import (
    CoinDebtOutstanding,
    IdempotencyKeyReused,
    InsufficientFunds,
    UnbalancedTransaction,
)
from economy.models import Account, Asset, LedgerEntry, LedgerTransaction
from economy.services import ledger_statement

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
    # {account id: cached balance right after} for the accounts written at once
    # (wallets, guarded debits); empty for a repeat.
    balances_after: dict[int, int] = field(default_factory=dict)


def post_transaction(
    *,
    kind: str,
    idempotency_key: str,
    postings: list[Posting],
    reference_type: str = "",
    reference_id: str = "",
    memo: str = "",
    details: dict | None = None,
    created_by=None,
) -> PostedTransaction:
    """Move value: all postings or none, once per idempotency key.

    `details` is stored on the transaction with `balances_after` ({account id: its
    balance}) added for the accounts written at once, so a repeat can answer exactly
    as the first request did.

    Raises InsufficientFunds when a debit would take an account that must not go
    negative below zero, CoinDebtOutstanding when a wallet's owner owes coins (nothing
    moves), IdempotencyKeyReused when the key was used for a different request,
    UnbalancedTransaction for postings that do not balance. A repeat of the same
    request returns the first transaction with created=False.
    """
    _check_postings(postings, idempotency_key=idempotency_key)
    request = _signature(kind, postings)
    fields = {
        "kind": kind,
        "idempotency_key": idempotency_key,
        "reference_type": reference_type,
        "reference_id": str(reference_id),
        "memo": memo,
        "details": details or {},
        "created_by": created_by,
    }
    eager = _eager_postings(postings)
    try:
        if ledger_statement.can_post_in_one_statement(eager=eager):
            written = ledger_statement.post_in_one_statement(
                fields=fields,
                postings=postings,
                eager=eager,
                guarded=bool(eager) and _is_guarded(eager[0]),
            )
            if written is not None:
                ledger_transaction, balances_after = written
                return PostedTransaction(
                    transaction=ledger_transaction, created=True, balances_after=balances_after
                )
            # The guarded debit matched no row: the general path rolls up pending
            # credits and tries again, or says why it cannot pay.
        with transaction.atomic():
            # Balances first: a wallet that cannot pay fails before anything is
            # written. A concurrent repeat of this key waits here on the wallet row.
            balances_after = _apply_eager_postings(eager)
            ledger_transaction = LedgerTransaction.objects.create(
                **{
                    **fields,
                    "details": {
                        **fields["details"],
                        "balances_after": {str(pk): value for pk, value in balances_after.items()},
                    },
                }
            )
            _write_entries(ledger_transaction, postings, eager=eager)
    except IntegrityError:
        # Another request with this key committed first (PostgreSQL waited for it).
        existing = _first_result(idempotency_key, request)
        if existing is None:
            raise
        return PostedTransaction(transaction=existing, created=False)
    except (InsufficientFunds, CoinDebtOutstanding):
        # The first request with this key may have spent what this repeat needed.
        existing = _first_result(idempotency_key, request)
        if existing is None:
            raise
        return PostedTransaction(transaction=existing, created=False)
    return PostedTransaction(
        transaction=ledger_transaction, created=True, balances_after=balances_after
    )


def _first_result(idempotency_key: str, request: tuple) -> LedgerTransaction | None:
    """The committed transaction of this key (None if there is none); raises
    IdempotencyKeyReused when it moved something else."""
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and _stored_signature(existing) != request:
        raise IdempotencyKeyReused()
    return existing


def post_transfer(
    *,
    kind: str,
    idempotency_key: str,
    source: Account,
    destination: Account,
    amount: int,
    **fields,
) -> PostedTransaction:
    """The two-leg case of post_transaction: `amount` from `source` into `destination`
    (a negative amount moves the other way). `fields` are post_transaction's
    reference_type, reference_id, memo, details and created_by."""
    return post_transaction(
        kind=kind,
        idempotency_key=idempotency_key,
        postings=[
            Posting(account=destination, amount=amount),
            Posting(account=source, amount=-amount),
        ],
        **fields,
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


# Accounts whose every posting updates the cached balance at once.
EAGER_KINDS = frozenset({Account.Kind.USER_COINS, Account.Kind.COIN_DEBT})


def _is_eager(posting: Posting) -> bool:
    account = posting.account
    return account.kind in EAGER_KINDS or (posting.amount < 0 and not account.may_go_negative)


def _eager_postings(postings: list[Posting]) -> list[Posting]:
    """The postings written to their account's balance at once, in account order."""
    return sorted((p for p in postings if _is_eager(p)), key=lambda p: p.account.pk)


def _is_guarded(posting: Posting) -> bool:
    """A debit of an account that must not go below zero."""
    return posting.amount < 0 and not posting.account.may_go_negative


def _apply_eager_postings(eager: list[Posting]) -> dict[int, int]:
    """Change the balances written at once; returns {account id: balance after}."""
    return {
        posting.account.pk: _change_balance(posting.account, posting.amount) for posting in eager
    }


def _write_entries(
    ledger_transaction: LedgerTransaction, postings: list[Posting], *, eager: list[Posting]
) -> None:
    eager_ids = {id(p) for p in eager}
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            transaction=ledger_transaction,
            account=posting.account,
            amount=posting.amount,
            rolled_up=id(posting) in eager_ids,
        )
        for posting in postings
    )


def _change_balance(account: Account, amount: int) -> int:
    """Add `amount` to the cached balance now; returns the new balance. A debit that
    would take an account below zero it may not go below raises InsufficientFunds,
    and a coin wallet whose owner has coin debt cannot be spent (CoinDebtOutstanding)."""
    if amount > 0 or account.may_go_negative:
        return _update_balance(account, amount, guarded=False)
    balance = _update_balance(account, amount, guarded=True)
    if balance is not None:
        return balance
    # Credits that arrived since the last roll-up may not be in the cached balance.
    roll_up_account(account_id=account.pk)
    balance = _update_balance(account, amount, guarded=True)
    if balance is not None:
        return balance
    if account.kind == Account.Kind.USER_COINS:
        owed = _coin_debt_of(account.owner_id)
        if owed:
            raise CoinDebtOutstanding(owed=owed)
    available = Account.objects.filter(pk=account.pk).values_list("balance", flat=True).get()
    raise InsufficientFunds(asset=account.asset, needed=-amount, available=available)


def _update_balance(account: Account, amount: int, *, guarded: bool) -> int | None:
    """One statement: change the balance and read it back (None when a guarded
    debit matched no row). Raw SQL for RETURNING, which the ORM's update() lacks."""
    sql, params = ledger_statement.balance_update_sql(account, amount, guarded=guarded)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def _coin_debt_of(owner_id: int) -> int:
    """What the user owes, as a positive number (0 for none)."""
    balance = (
        Account.objects.filter(owner_id=owner_id, kind=Account.Kind.COIN_DEBT)
        .values_list("balance", flat=True)
        .first()
    )
    return -balance if balance and balance < 0 else 0


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
    Account.Kind.COIN_DEBT: Asset.COINS,
}


def get_or_create_user_account(*, user, kind: str) -> Account:
    """A user's coin wallet, diamond earnings or coin debt, created on first use."""
    return get_or_create_user_account_by_id(user_id=user.pk, kind=kind)


def get_or_create_user_account_by_id(*, user_id: int, kind: str) -> Account:
    account, _ = Account.objects.get_or_create(
        kind=kind,
        asset=USER_ACCOUNT_ASSETS[kind],
        owner_id=user_id,
        provider="",
        defaults={"may_go_negative": kind == Account.Kind.COIN_DEBT},
    )
    return account


def get_or_create_platform_account(*, kind: str, asset: str, provider: str = "") -> Account:
    """A HaloBuzz-owned account (revenue, clearing, promotions...), which may go
    negative: issuing coins or diamonds is what it is for."""
    account, _ = Account.objects.get_or_create(
        kind=kind, asset=asset, owner=None, provider=provider, defaults={"may_go_negative": True}
    )
    return account
