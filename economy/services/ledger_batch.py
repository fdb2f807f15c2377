"""Many creator payments in one PostgreSQL statement (economy.services.gift_batches).

A creator payment is the four legs of economy.services.earnings.creator_payment: the
payer's coins to platform revenue, diamond issuance to the creator's earnings. Gifts
to a busy room arrive far faster than one commit each can keep up with; written
together, a hundred of them cost the database about what a few cost alone, and the
sending process renders one statement instead of a hundred.

The statement keeps the rules of the single path (economy.services.ledger):

- Each payer's wallet is debited once for the sum of its payments in the batch,
  with the guard of `ledger_statement.balance_update_sql`: the balance covers the sum
  and its owner owes no coins. A wallet that cannot cover its whole share writes
  none of its payments, so every payment the statement writes was paid for.
- The wallets are locked in id order before they are updated, as the single path
  does, so two batches sharing wallets never wait on each other in a circle.
- The creator's earnings and the platform accounts take appended entries
  (`rolled_up=false`); the wallet's entry is rolled up, being in its balance already.
- A payment whose idempotency key has been used, or whose payer, creator or platform
  accounts do not exist yet, is not written.

It returns what it wrote; the caller sends every payment it did not write down the
single path, which creates missing accounts, answers repeats and explains refusals
(a short balance, coin debt) exactly as it does for one gift. If the statement fails
as a whole (a key committed by another process meanwhile), nothing was written: it
is one statement in autocommit.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from economy.models import Account, Asset, LedgerEntry, LedgerTransaction


@dataclass(frozen=True)
class CreatorPaymentOrder:
    idempotency_key: str
    payer_id: int
    creator_id: int
    coins: int
    diamonds: int
    reference_type: str
    reference_id: str
    memo: str
    details: dict


@dataclass(frozen=True)
class WrittenPayment:
    transaction: LedgerTransaction
    wallet_id: int
    # The payer's coins right after this payment, as if the batch's payments had been
    # posted one by one in order.
    balance_after: int


def can_write_in_batches() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def post_creator_payments(
    *, kind: str, orders: list[CreatorPaymentOrder]
) -> dict[str, WrittenPayment]:
    """Write the orders that can be written now; returns them by idempotency key.

    Orders must have distinct keys and positive coins and diamonds. `details` gets
    `wallet` and `balances_after` added, as the single path stores them.
    """
    if not orders:
        return {}
    now = timezone.now()
    columns = {
        "ord": [],
        "key": [],
        "payer": [],
        "creator": [],
        "coins": [],
        "diamonds": [],
        "reference_type": [],
        "reference_id": [],
        "memo": [],
        "details": [],
    }
    for number, order in enumerate(orders):
        columns["ord"].append(number)
        columns["key"].append(order.idempotency_key)
        columns["payer"].append(order.payer_id)
        columns["creator"].append(order.creator_id)
        columns["coins"].append(order.coins)
        columns["diamonds"].append(order.diamonds)
        columns["reference_type"].append(order.reference_type)
        columns["reference_id"].append(order.reference_id)
        columns["memo"].append(order.memo)
        columns["details"].append(json.dumps(order.details))
    params = {
        **columns,
        "kind": kind,
        "now": now,
        "user_coins": Account.Kind.USER_COINS,
        "coins_asset": Asset.COINS,
        "creator_diamonds": Account.Kind.CREATOR_DIAMONDS,
        "diamonds_asset": Asset.DIAMONDS,
        "platform_revenue": Account.Kind.PLATFORM_REVENUE,
        "diamond_issuance": Account.Kind.DIAMOND_ISSUANCE,
        "coin_debt": Account.Kind.COIN_DEBT,
    }
    with connection.cursor() as cursor:
        cursor.execute(_statement(), params)
        rows = cursor.fetchall()
    written = {}
    by_key = {order.idempotency_key: order for order in orders}
    for key, transaction_id, wallet_id, balance_after in rows:
        order = by_key[key]
        ledger_transaction = LedgerTransaction(
            id=transaction_id,
            kind=kind,
            idempotency_key=key,
            reference_type=order.reference_type,
            reference_id=order.reference_id,
            memo=order.memo,
            details={
                **order.details,
                "wallet": wallet_id,
                "balances_after": {str(wallet_id): balance_after},
            },
            created_by=None,
            created_at=now,
        )
        ledger_transaction._state.adding = False
        ledger_transaction._state.db = connection.alias
        written[key] = WrittenPayment(
            transaction=ledger_transaction, wallet_id=wallet_id, balance_after=balance_after
        )
    return written


_STATEMENT = None


def _statement() -> str:
    global _STATEMENT
    if _STATEMENT is None:
        quote = connection.ops.quote_name
        accounts = quote(Account._meta.db_table)
        transactions = quote(LedgerTransaction._meta.db_table)
        entries = quote(LedgerEntry._meta.db_table)
        _STATEMENT = f"""
        WITH request AS MATERIALIZED (
            SELECT r.*, wallet.id AS wallet_id, earnings.id AS earnings_id,
                revenue.id AS revenue_id, issuance.id AS issuance_id
            FROM unnest(
                %(ord)s::int[], %(key)s::text[], %(payer)s::bigint[], %(creator)s::bigint[],
                %(coins)s::bigint[], %(diamonds)s::bigint[], %(reference_type)s::text[],
                %(reference_id)s::text[], %(memo)s::text[], %(details)s::text[]
            ) AS r (ord, key, payer, creator, coins, diamonds, reference_type,
                reference_id, memo, details)
            JOIN {accounts} AS wallet ON wallet.owner_id = r.payer
                AND wallet.kind = %(user_coins)s AND wallet.asset = %(coins_asset)s
                AND wallet.provider = ''
            JOIN {accounts} AS earnings ON earnings.owner_id = r.creator
                AND earnings.kind = %(creator_diamonds)s
                AND earnings.asset = %(diamonds_asset)s AND earnings.provider = ''
            JOIN {accounts} AS revenue ON revenue.owner_id IS NULL
                AND revenue.kind = %(platform_revenue)s AND revenue.asset = %(coins_asset)s
                AND revenue.provider = ''
            JOIN {accounts} AS issuance ON issuance.owner_id IS NULL
                AND issuance.kind = %(diamond_issuance)s
                AND issuance.asset = %(diamonds_asset)s AND issuance.provider = ''
            WHERE NOT EXISTS (
                SELECT 1 FROM {transactions} AS used WHERE used.idempotency_key = r.key
            )
        ),
        wallet_total AS MATERIALIZED (
            SELECT wallet_id, payer, sum(coins)::bigint AS coins
            FROM request GROUP BY wallet_id, payer
        ),
        locked AS MATERIALIZED (
            SELECT id FROM {accounts}
            WHERE id IN (SELECT wallet_id FROM wallet_total)
            ORDER BY id
            FOR UPDATE
        ),
        debited AS (
            UPDATE {accounts} AS account SET balance = account.balance - wallet_total.coins
            FROM wallet_total JOIN locked ON locked.id = wallet_total.wallet_id
            WHERE account.id = wallet_total.wallet_id
                AND account.balance >= wallet_total.coins
                AND NOT EXISTS (
                    SELECT 1 FROM {accounts} AS debt WHERE debt.owner_id = wallet_total.payer
                    AND debt.kind = %(coin_debt)s AND debt.balance < 0
                )
            RETURNING account.id, account.balance
        ),
        accepted AS MATERIALIZED (
            SELECT request.*, debited.balance + wallet_total.coins - (sum(request.coins)
                OVER (PARTITION BY request.wallet_id ORDER BY request.ord))::bigint AS balance_after
            FROM request
            JOIN debited ON debited.id = request.wallet_id
            JOIN wallet_total ON wallet_total.wallet_id = request.wallet_id
        ),
        posted AS (
            INSERT INTO {transactions} (kind, idempotency_key, reference_type,
                reference_id, memo, details, created_by_id, created_at)
            SELECT %(kind)s, key, reference_type, reference_id, memo,
                details::jsonb || jsonb_build_object(
                    'wallet', wallet_id,
                    'balances_after', jsonb_build_object(wallet_id::text, balance_after)
                ),
                NULL, %(now)s
            FROM accepted
            ORDER BY ord
            RETURNING id, idempotency_key
        ),
        legs AS (
            INSERT INTO {entries} (transaction_id, account_id, amount, rolled_up, created_at)
            SELECT posted.id, leg.account_id, leg.amount, leg.rolled_up, %(now)s
            FROM posted
            JOIN accepted ON accepted.key = posted.idempotency_key
            CROSS JOIN LATERAL (VALUES
                (accepted.wallet_id, -accepted.coins, true),
                (accepted.revenue_id, accepted.coins, false),
                (accepted.issuance_id, -accepted.diamonds, false),
                (accepted.earnings_id, accepted.diamonds, false)
            ) AS leg (account_id, amount, rolled_up)
        )
        SELECT posted.idempotency_key, posted.id, accepted.wallet_id, accepted.balance_after
        FROM posted JOIN accepted ON accepted.key = posted.idempotency_key
        """  # noqa: S608 (table names only; values are parameters)
    return _STATEMENT
