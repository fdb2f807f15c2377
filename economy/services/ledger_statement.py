"""Posting a transaction as one PostgreSQL statement (economy.services.ledger).

A gift is the hottest write HaloBuzz has: thousands of viewers paying one creator.
Posted the general way it is BEGIN, the wallet's conditional UPDATE, the transaction
INSERT, the entries INSERT and COMMIT: five round trips, each costing the database
and the sending process more than the work inside it. Here the same writes are data-
modifying CTEs of a single statement, which PostgreSQL commits on its own in
autocommit mode: one round trip, and nothing rendered by the ORM.

The statement does exactly what the general path does: the one account written at
once gets the same UPDATE (`balance_update_sql`, shared with the general path), and
the transaction and its entries are inserted only when that UPDATE matched its row.
When it did not (a short balance, coin debt, or credits not rolled up yet) nothing
was written and `post_in_one_statement` returns None: the general path runs and
either succeeds after a roll-up or raises the error that explains the refusal. A
used idempotency key raises IntegrityError like the general path's INSERT does.

Only used on PostgreSQL outside a caller's transaction (inside one there is no
commit to save, and a failed statement would abort the caller's transaction), for
postings with at most one account written at once: with two, their row locks would
be taken in an order the statement does not promise.
"""

import json

from django.db import connection
from django.utils import timezone

from economy.models import Account, LedgerEntry, LedgerTransaction


def balance_update_sql(account: Account, amount: int, *, guarded: bool) -> tuple[str, list]:
    """The UPDATE that adds `amount` to the account's cached balance and returns the
    new balance. Guarded, it matches no row when the balance is short or, for a coin
    wallet, when its owner owes coins."""
    table = connection.ops.quote_name(Account._meta.db_table)
    sql = f"UPDATE {table} SET balance = balance + %s WHERE id = %s"  # noqa: S608 (table name)
    params: list = [amount, account.pk]
    if guarded:
        sql += " AND balance >= %s"
        params.append(-amount)
        if account.kind == Account.Kind.USER_COINS:
            sql += (
                f" AND NOT EXISTS (SELECT 1 FROM {table} AS debt WHERE debt.owner_id = %s"  # noqa: S608
                " AND debt.kind = %s AND debt.balance < 0)"
            )
            params += [account.owner_id, Account.Kind.COIN_DEBT]
    return sql + " RETURNING balance", params


def can_post_in_one_statement(*, eager: list) -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block and len(eager) <= 1


def post_in_one_statement(
    *, fields: dict, postings: list, eager: list, guarded: bool
) -> tuple[LedgerTransaction, dict[int, int]] | None:
    """Write the transaction (`fields` are LedgerTransaction's) and its entries;
    returns it with {account id: balance after} for the eager account, or None when
    its guarded UPDATE matched no row (nothing was written)."""
    now = timezone.now()
    quote = connection.ops.quote_name
    transactions = quote(LedgerTransaction._meta.db_table)
    entries = quote(LedgerEntry._meta.db_table)
    params: list = []
    if eager:
        update_sql, update_params = balance_update_sql(
            eager[0].account, eager[0].amount, guarded=guarded
        )
        balance_sql = update_sql
        params += update_params
        balances_after_sql = "jsonb_build_object(%s::text, balance.balance)"
    else:
        balance_sql = "SELECT NULL::bigint AS balance"
        balances_after_sql = "'{}'::jsonb"
    params += [
        fields["kind"],
        fields["idempotency_key"],
        fields["reference_type"],
        fields["reference_id"],
        fields["memo"],
        json.dumps(fields["details"]),
    ]
    if eager:
        params.append(str(eager[0].account.pk))
    created_by = fields["created_by"]
    params += [created_by.pk if created_by is not None else None, now, now]
    eager_ids = {id(posting) for posting in eager}
    legs = ", ".join(["(%s::bigint, %s::bigint, %s::boolean)"] * len(postings))
    for posting in postings:
        params += [posting.account.pk, posting.amount, id(posting) in eager_ids]
    sql = f"""
        WITH balance AS ({balance_sql}),
        posted AS (
            INSERT INTO {transactions} (kind, idempotency_key, reference_type,
                reference_id, memo, details, created_by_id, created_at)
            SELECT %s, %s, %s, %s, %s,
                jsonb_set(%s::jsonb, '{{balances_after}}', {balances_after_sql}), %s, %s
            FROM balance
            RETURNING id
        ),
        legs AS (
            INSERT INTO {entries} (transaction_id, account_id, amount, rolled_up, created_at)
            SELECT posted.id, leg.account_id, leg.amount, leg.rolled_up, %s
            FROM posted, (VALUES {legs}) AS leg (account_id, amount, rolled_up)
        )
        SELECT posted.id, balance.balance FROM posted, balance
    """  # noqa: S608 (table names and placeholders only)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    transaction_id, balance = row
    balances_after = {eager[0].account.pk: balance} if eager else {}
    ledger_transaction = LedgerTransaction(
        id=transaction_id,
        **{
            **fields,
            "details": {
                **fields["details"],
                "balances_after": {str(pk): value for pk, value in balances_after.items()},
            },
        },
        created_at=now,
    )
    ledger_transaction._state.adding = False
    ledger_transaction._state.db = connection.alias
    return ledger_transaction, balances_after
