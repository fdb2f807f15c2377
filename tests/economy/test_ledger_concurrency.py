"""The ledger under concurrency, on PostgreSQL: many threads, each its own connection
and transaction, racing for the same coins and the same keys."""

import pytest

from economy.audit import audit_ledger
from economy.exceptions import InsufficientFunds
from economy.models import Account, Asset, LedgerTransaction
from economy.selectors.ledger import get_account_balance
from economy.services import ledger
from tests.economy.concurrency import race
from tests.economy.ledger_helpers import earnings_of, grant, spend, wallet_of
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def balance(account: Account) -> int:
    account.refresh_from_db()
    return get_account_balance(account=account)


def test_200_concurrent_spends_from_a_wallet_that_covers_50_let_exactly_50_through():
    wallet = wallet_of(UserFactory())
    grant(wallet, 50 * 10)

    results = race(lambda number: spend(wallet, 10, key=f"spend-{number}"), range(200))

    succeeded = [result for result in results if not isinstance(result, Exception)]
    refused = [result for result in results if isinstance(result, InsufficientFunds)]
    assert (len(succeeded), len(refused)) == (50, 150)
    assert balance(wallet) == 0
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.GIFT).count() == 50
    ledger.roll_up_pending_balances()
    assert audit_ledger().clean


def test_100_viewers_paying_one_creator_at_once_leave_its_earnings_exact():
    creator_earnings = earnings_of(UserFactory())
    issuance = ledger.get_or_create_platform_account(
        kind=Account.Kind.DIAMOND_ISSUANCE, asset=Asset.DIAMONDS
    )
    viewers = [wallet_of(UserFactory()) for _ in range(100)]
    for viewer in viewers:
        grant(viewer, 30)

    def gift(viewer: Account):
        return ledger.post_transaction(
            kind=LedgerTransaction.Kind.GIFT,
            idempotency_key=f"gift-{viewer.pk}",
            postings=[
                ledger.Posting(account=viewer, amount=-30),
                ledger.Posting(
                    account=ledger.get_or_create_platform_account(
                        kind=Account.Kind.PLATFORM_REVENUE, asset=Asset.COINS
                    ),
                    amount=30,
                ),
                ledger.Posting(account=creator_earnings, amount=21),
                ledger.Posting(account=issuance, amount=-21),
            ],
        )

    results = race(gift, viewers)

    assert not [result for result in results if isinstance(result, Exception)]
    assert balance(creator_earnings) == 100 * 21
    ledger.roll_up_pending_balances()
    assert balance(creator_earnings) == 100 * 21
    assert [balance(viewer) for viewer in viewers] == [0] * 100
    assert audit_ledger().clean


def test_one_idempotency_key_sent_20_times_at_once_moves_value_once():
    wallet = wallet_of(UserFactory())

    results = race(lambda _: grant(wallet, 75, key="checkout-abc"), range(20))

    assert not [result for result in results if isinstance(result, Exception)]
    assert len({result.transaction.pk for result in results}) == 1
    assert sum(result.created for result in results) == 1
    assert balance(wallet) == 75


def test_roll_ups_racing_with_credits_lose_nothing():
    earnings = earnings_of(UserFactory())
    issuance = ledger.get_or_create_platform_account(
        kind=Account.Kind.DIAMOND_ISSUANCE, asset=Asset.DIAMONDS
    )

    def credit_or_roll_up(number: int):
        if number % 5 == 0:
            return ledger.roll_up_account(account_id=earnings.pk)
        return ledger.post_transaction(
            kind=LedgerTransaction.Kind.GIFT,
            idempotency_key=f"credit-{number}",
            postings=[
                ledger.Posting(account=earnings, amount=3),
                ledger.Posting(account=issuance, amount=-3),
            ],
        )

    results = race(credit_or_roll_up, range(100))

    assert not [result for result in results if isinstance(result, Exception)]
    assert balance(earnings) == 80 * 3
    ledger.roll_up_pending_balances()
    earnings.refresh_from_db()
    assert earnings.balance == 80 * 3
    assert audit_ledger().clean
