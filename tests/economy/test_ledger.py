"""Posting to the ledger: balanced, all-or-nothing, once per idempotency key."""

import pytest
from django.db import IntegrityError, transaction

from economy.audit import audit_ledger
from economy.exceptions import IdempotencyKeyReused, InsufficientFunds, UnbalancedTransaction
from economy.models import Account, Asset, LedgerEntry, LedgerTransaction
from economy.selectors.ledger import get_account_balance, get_user_balance
from economy.services import ledger
from tests.economy.ledger_helpers import earnings_of, grant, promotions, spend, wallet_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def balance(account: Account) -> int:
    account.refresh_from_db()
    return get_account_balance(account=account)


def test_a_grant_credits_the_wallet_and_debits_promotions():
    wallet = wallet_of(UserFactory())

    posted = grant(wallet, 500)

    assert posted.created
    assert balance(wallet) == 500
    assert balance(promotions()) == -500
    amounts = sorted(posted.transaction.entries.values_list("amount", flat=True))
    assert amounts == [-500, 500]
    assert audit_ledger().clean


def test_a_spend_takes_from_the_wallet_row_at_once():
    wallet = wallet_of(UserFactory())
    grant(wallet, 100)

    spend(wallet, 30)

    wallet.refresh_from_db()
    # The credit was rolled up to allow the debit; the debit itself updates the row.
    assert wallet.balance == 70
    assert balance(wallet) == 70


def test_a_spend_beyond_the_balance_moves_nothing_and_says_what_is_there():
    wallet = wallet_of(UserFactory())
    grant(wallet, 40)
    before = LedgerTransaction.objects.count()

    with pytest.raises(InsufficientFunds) as refused:
        spend(wallet, 41)

    assert refused.value.code == "insufficient_coins"
    assert refused.value.extra == {"asset": "coins", "needed": 41, "available": 40}
    assert LedgerTransaction.objects.count() == before
    assert balance(wallet) == 40


def test_credits_to_a_creator_are_appended_without_touching_the_account_row():
    creator = UserFactory()
    earnings = earnings_of(creator)
    diamonds = ledger.get_or_create_platform_account(
        kind=Account.Kind.DIAMOND_ISSUANCE, asset=Asset.DIAMONDS
    )

    for _ in range(3):
        ledger.post_transaction(
            kind=LedgerTransaction.Kind.GIFT,
            idempotency_key=f"gift-{_}",
            postings=[
                ledger.Posting(account=earnings, amount=7),
                ledger.Posting(account=diamonds, amount=-7),
            ],
        )

    earnings.refresh_from_db()
    assert earnings.balance == 0  # nothing rolled up yet
    assert get_user_balance(user=creator, kind=Account.Kind.CREATOR_DIAMONDS) == 21
    assert ledger.roll_up_account(account_id=earnings.pk) == 21
    earnings.refresh_from_db()
    assert earnings.balance == 21
    assert not LedgerEntry.objects.filter(account=earnings, rolled_up=False).exists()
    assert audit_ledger().clean


def test_rolling_up_everything_folds_every_pending_account():
    creators = [earnings_of(UserFactory()) for _ in range(3)]
    diamonds = ledger.get_or_create_platform_account(
        kind=Account.Kind.DIAMOND_ISSUANCE, asset=Asset.DIAMONDS
    )
    for number, earnings in enumerate(creators):
        ledger.post_transfer(
            kind=LedgerTransaction.Kind.GIFT,
            idempotency_key=f"gift-{number}",
            source=diamonds,
            destination=earnings,
            amount=10,
        )

    assert ledger.roll_up_pending_balances() == 4  # three creators and the issuance

    assert not LedgerEntry.objects.filter(rolled_up=False).exists()
    assert [balance(earnings) for earnings in creators] == [10, 10, 10]
    assert audit_ledger().clean


def test_a_coin_wallet_is_exact_at_every_commit():
    wallet = wallet_of(UserFactory())

    posted = grant(wallet, 10)

    wallet.refresh_from_db()
    assert wallet.balance == 10
    assert posted.balances_after == {wallet.pk: 10}
    assert not LedgerEntry.objects.filter(account=wallet, rolled_up=False).exists()


def test_the_same_idempotency_key_moves_value_once_and_returns_the_first_transaction():
    wallet = wallet_of(UserFactory())

    first = grant(wallet, 250, key="purchase-1")
    again = grant(wallet, 250, key="purchase-1")

    assert first.created and not again.created
    assert again.transaction.pk == first.transaction.pk
    assert balance(wallet) == 250


def test_reusing_a_key_for_a_different_request_is_refused():
    wallet = wallet_of(UserFactory())
    grant(wallet, 250, key="purchase-2")

    with pytest.raises(IdempotencyKeyReused):
        grant(wallet, 999, key="purchase-2")

    assert balance(wallet) == 250


@pytest.mark.parametrize(
    "amounts",
    [[5, -4], [5], [0, 0], [5, -5, 0]],
    ids=["not summing to zero", "one leg", "zeros", "a zero leg"],
)
def test_postings_that_do_not_balance_are_refused(amounts):
    wallet = wallet_of(UserFactory())
    other = promotions()

    with pytest.raises(UnbalancedTransaction):
        ledger.post_transaction(
            kind=LedgerTransaction.Kind.ADJUSTMENT,
            idempotency_key="bad",
            postings=[
                ledger.Posting(account=[wallet, other][i % 2], amount=amount)
                for i, amount in enumerate(amounts)
            ],
        )

    assert not LedgerTransaction.objects.exists()


def test_coins_and_diamonds_must_each_balance():
    wallet = wallet_of(UserFactory())
    earnings = earnings_of(UserFactory())
    grant(wallet, 10)

    with pytest.raises(UnbalancedTransaction):
        # Ten coins in, ten diamonds out: the sum is zero but each asset is not.
        ledger.post_transaction(
            kind=LedgerTransaction.Kind.GIFT,
            idempotency_key="mixed",
            postings=[
                ledger.Posting(account=wallet, amount=-10),
                ledger.Posting(account=earnings, amount=10),
            ],
        )


def test_a_failed_leg_undoes_the_others():
    rich, poor = wallet_of(UserFactory()), wallet_of(UserFactory())
    grant(rich, 100)
    grant(poor, 5)
    revenue = ledger.get_or_create_platform_account(
        kind=Account.Kind.PLATFORM_REVENUE, asset=Asset.COINS
    )

    with pytest.raises(InsufficientFunds):
        ledger.post_transaction(
            kind=LedgerTransaction.Kind.GIFT,
            idempotency_key="both-pay",
            postings=[
                ledger.Posting(account=rich, amount=-50),
                ledger.Posting(account=poor, amount=-50),
                ledger.Posting(account=revenue, amount=100),
            ],
        )

    assert (balance(rich), balance(poor)) == (100, 5)
    assert audit_ledger().clean


def test_user_accounts_are_one_per_user_and_kind():
    user = UserFactory()

    assert wallet_of(user) == wallet_of(user)
    assert wallet_of(user) != earnings_of(user)
    assert wallet_of(user).asset == Asset.COINS
    assert not wallet_of(user).may_go_negative
    assert get_user_balance(user=UserFactory(), kind=Account.Kind.USER_COINS) == 0


def test_there_is_one_platform_account_per_kind_asset_and_provider():
    stripe = ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYMENT_CLEARING, asset=Asset.COINS, provider="stripe"
    )

    assert stripe == ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYMENT_CLEARING, asset=Asset.COINS, provider="stripe"
    )
    assert stripe != ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYMENT_CLEARING, asset=Asset.COINS, provider="esewa"
    )
    assert stripe.may_go_negative
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(
            kind=Account.Kind.PAYMENT_CLEARING,
            asset=Asset.COINS,
            provider="stripe",
            may_go_negative=True,
        )


def test_the_database_refuses_a_user_account_below_zero_whatever_the_code_does():
    wallet = wallet_of(UserFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=wallet.pk).update(balance=-1)
