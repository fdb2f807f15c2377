"""Posting a transaction as one PostgreSQL statement (economy.services.ledger_statement):
outside a caller's transaction a payment is one round trip that writes what the
general path writes; when the wallet cannot pay, the general path says why and nothing
is written; inside a caller's transaction the general path runs."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from economy import leaderboards
from economy.audit import audit_ledger
from economy.exceptions import CoinDebtOutstanding, IdempotencyKeyReused, InsufficientFunds
from economy.models import Account, Asset, Gift, LedgerEntry, LedgerTransaction
from economy.selectors import gift_sending
from economy.services import earnings, ledger
from economy.services.gifts import send_gift
from tests.economy.ledger_helpers import coins, diamonds, earnings_of, grant, promotions, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import capture_broadcasts

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgresql"),
]


@pytest.fixture
def creator():
    return UserFactory(is_creator=True)


@pytest.fixture
def payer():
    user = UserFactory()
    grant(wallet_of(user), 500)
    return user


def pay(payer, creator, *, key="pay-1", coins=200, diamonds=140, **fields):
    """The payer pays the creator (accounts read first, as send_gift does)."""
    payment = earnings.creator_payment(
        payer_id=payer.pk, creator_id=creator.pk, coins=coins, diamonds=diamonds
    )
    return post(payment, key=key, **fields)


def post(payment, *, key="pay-1", **fields):
    return ledger.post_transaction(
        kind=LedgerTransaction.Kind.GIFT,
        idempotency_key=key,
        postings=payment.postings,
        **fields,
    )


def cached_balance(account: Account) -> int:
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


def platform(kind: str) -> Account:
    return Account.objects.get(kind=kind, owner=None, provider="")


def entries_of(ledger_transaction) -> set[tuple[int, int, bool]]:
    return set(
        LedgerEntry.objects.filter(transaction_id=ledger_transaction.pk).values_list(
            "account_id", "amount", "rolled_up"
        )
    )


def is_transaction_control(sql: str) -> bool:
    return sql.split()[0].upper() in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def ledger_size() -> tuple[int, int]:
    return LedgerTransaction.objects.count(), LedgerEntry.objects.count()


def test_paying_a_creator_from_a_funded_wallet_is_one_statement(
    payer, creator, django_assert_num_queries
):
    payment = earnings.creator_payment(
        payer_id=payer.pk, creator_id=creator.pk, coins=200, diamonds=140
    )
    staff = UserFactory(is_staff=True)

    with django_assert_num_queries(1) as captured:
        posted = post(
            payment,
            key="gift:one",
            reference_type="stream",
            reference_id=42,
            memo="1 x Trophy",
            details={"gift": 7, "wallet": payment.wallet.pk},
            created_by=staff,
        )

    assert captured.captured_queries[0]["sql"].lstrip().startswith("WITH balance AS")
    wallet = payment.wallet
    assert posted.created is True
    assert posted.balances_after == {wallet.pk: 300}
    stored = LedgerTransaction.objects.get(idempotency_key="gift:one")
    assert posted.transaction.pk == stored.pk
    assert posted.transaction._state.adding is False
    assert stored.details == posted.transaction.details
    assert stored.details == {
        "gift": 7,
        "wallet": wallet.pk,
        "balances_after": {str(wallet.pk): 300},
    }
    for name in ("kind", "reference_type", "reference_id", "memo", "created_by_id", "created_at"):
        assert getattr(stored, name) == getattr(posted.transaction, name), name
    assert (stored.kind, stored.reference_type, stored.reference_id, stored.memo) == (
        LedgerTransaction.Kind.GIFT,
        "stream",
        "42",
        "1 x Trophy",
    )
    assert stored.created_by_id == staff.pk
    assert entries_of(stored) == {
        (wallet.pk, -200, True),
        (platform(Account.Kind.PLATFORM_REVENUE).pk, 200, False),
        (platform(Account.Kind.DIAMOND_ISSUANCE).pk, -140, False),
        (earnings_of(creator).pk, 140, False),
    }
    assert posted.transaction.entries.count() == 4
    assert cached_balance(wallet) == 300
    assert coins(payer) == 300
    assert diamonds(creator) == 140
    assert audit_ledger().clean


def test_a_payment_without_details_still_records_the_balance_after(payer, creator):
    posted = pay(payer, creator, coins=50, diamonds=35)

    wallet = wallet_of(payer)
    stored = LedgerTransaction.objects.get(pk=posted.transaction.pk)
    assert stored.details == {"balances_after": {str(wallet.pk): 450}}
    assert (stored.reference_type, stored.reference_id, stored.memo, stored.created_by) == (
        "",
        "",
        "",
        None,
    )
    assert audit_ledger().clean


def test_successive_payments_each_take_one_statement(payer, creator, django_assert_num_queries):
    payments = [
        earnings.creator_payment(payer_id=payer.pk, creator_id=creator.pk, coins=100, diamonds=70)
        for _ in range(3)
    ]

    balances = []
    for number, payment in enumerate(payments):
        with django_assert_num_queries(1):
            balances.append(post(payment, key=f"pay-{number}").balances_after)

    wallet = wallet_of(payer)
    assert balances == [{wallet.pk: 400}, {wallet.pk: 300}, {wallet.pk: 200}]
    assert diamonds(creator) == 210
    assert audit_ledger().clean


def test_the_same_key_again_returns_the_first_transaction_and_moves_nothing(payer, creator):
    first = pay(payer, creator, key="once")
    size = ledger_size()

    again = pay(payer, creator, key="once")

    assert again.created is False
    assert again.transaction.pk == first.transaction.pk
    assert again.transaction.details["balances_after"] == {str(wallet_of(payer).pk): 300}
    assert ledger_size() == size
    assert cached_balance(wallet_of(payer)) == 300
    assert diamonds(creator) == 140
    assert audit_ledger().clean


def test_the_same_key_again_after_the_wallet_ran_short_still_returns_the_first_result(
    payer, creator
):
    first = pay(payer, creator, key="once", coins=300, diamonds=210)  # 200 left
    pay(payer, creator, key="other", coins=150, diamonds=105)  # 50 left
    size = ledger_size()

    again = pay(payer, creator, key="once", coins=300, diamonds=210)

    assert again.created is False
    assert again.transaction.pk == first.transaction.pk
    assert ledger_size() == size
    assert coins(payer) == 50
    assert audit_ledger().clean


def test_the_same_key_for_a_different_payment_is_refused_and_moves_nothing(payer, creator):
    pay(payer, creator, key="once")
    size = ledger_size()

    with pytest.raises(IdempotencyKeyReused):
        pay(payer, creator, key="once", coins=100, diamonds=70)

    assert ledger_size() == size
    assert coins(payer) == 300
    assert audit_ledger().clean


def test_a_short_wallet_is_refused_with_what_it_needs_and_nothing_is_written(creator):
    short = UserFactory()
    grant(wallet_of(short), 150)
    size = ledger_size()

    with pytest.raises(InsufficientFunds) as refused:
        pay(short, creator, key="too-much", coins=200, diamonds=140)

    assert refused.value.code == "insufficient_coins"
    assert refused.value.extra == {"asset": "coins", "needed": 200, "available": 150}
    assert not LedgerTransaction.objects.filter(idempotency_key="too-much").exists()
    assert ledger_size() == size
    assert cached_balance(wallet_of(short)) == 150
    assert diamonds(creator) == 0
    assert audit_ledger().clean


def test_a_wallet_that_was_never_funded_is_refused(creator):
    empty = UserFactory()

    with pytest.raises(InsufficientFunds) as refused:
        pay(empty, creator, key="nothing", coins=1, diamonds=1)

    assert refused.value.extra == {"asset": "coins", "needed": 1, "available": 0}
    assert not LedgerTransaction.objects.filter(idempotency_key="nothing").exists()
    assert audit_ledger().clean


def test_a_wallet_whose_owner_owes_coins_cannot_pay_and_nothing_is_written(payer, creator):
    debt = ledger.get_or_create_user_account(user=payer, kind=Account.Kind.COIN_DEBT)
    ledger.post_transfer(
        kind=LedgerTransaction.Kind.REFUND,
        idempotency_key="owed",
        source=debt,
        destination=promotions(),
        amount=60,
    )
    size = ledger_size()

    with pytest.raises(CoinDebtOutstanding) as refused:
        pay(payer, creator, key="while-owing", coins=100, diamonds=70)

    assert refused.value.code == "coin_debt"
    assert refused.value.extra == {"owed": 60}
    assert ledger_size() == size
    assert cached_balance(wallet_of(payer)) == 500
    assert diamonds(creator) == 0
    assert audit_ledger().clean


def test_a_debit_of_credits_not_yet_rolled_up_falls_back_and_succeeds(payer, creator):
    pay(payer, creator, key="earned", coins=200, diamonds=140)
    earned = earnings_of(creator)
    assert cached_balance(earned) == 0  # the credit is appended, not rolled up

    pending = ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYOUTS_PENDING, asset=Asset.DIAMONDS
    )

    with CaptureQueriesContext(connection) as captured:
        posted = ledger.post_transfer(
            kind=LedgerTransaction.Kind.PAYOUT_REQUEST,
            idempotency_key="payout",
            source=earned,
            destination=pending,
            amount=100,
        )

    statements = [query["sql"] for query in captured.captured_queries]
    # The statement matched no row; the general path rolled the credit up and paid.
    assert statements[0].lstrip().startswith("WITH balance AS"), statements
    assert len(statements) > 1
    assert statements[-1] == "COMMIT", statements
    assert posted.created is True
    assert posted.balances_after == {earned.pk: 40}
    assert cached_balance(earned) == 40
    stored = LedgerTransaction.objects.get(idempotency_key="payout")
    assert stored.details["balances_after"] == {str(earned.pk): 40}
    assert audit_ledger().clean


def test_a_posting_that_writes_no_balance_at_once_is_one_statement(
    creator, django_assert_num_queries
):
    earned = earnings_of(creator)
    source = promotions(Asset.DIAMONDS)

    with django_assert_num_queries(1):
        posted = ledger.post_transfer(
            kind=LedgerTransaction.Kind.REWARD,
            idempotency_key="reward",
            source=source,
            destination=earned,
            amount=25,
        )

    assert posted.created is True
    assert posted.balances_after == {}
    stored = LedgerTransaction.objects.get(pk=posted.transaction.pk)
    assert stored.details == {"balances_after": {}}
    assert entries_of(stored) == {(earned.pk, 25, False), (source.pk, -25, False)}
    assert diamonds(creator) == 25
    assert audit_ledger().clean


def test_a_payment_inside_a_callers_transaction_takes_the_general_path_with_the_same_result(
    payer, creator
):
    payment = earnings.creator_payment(
        payer_id=payer.pk, creator_id=creator.pk, coins=200, diamonds=140
    )

    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        posted = post(payment, key="inside", details={"gift": 7})

    statements = [query["sql"] for query in captured.captured_queries]
    writes = [sql for sql in statements if not is_transaction_control(sql)]
    # BEGIN, SAVEPOINT, the wallet's UPDATE, the transaction, its entries, RELEASE, COMMIT
    assert len(statements) == 7, statements
    assert [sql.split()[0] for sql in writes] == ["UPDATE", "INSERT", "INSERT"], writes
    assert not any(sql.lstrip().startswith("WITH balance AS") for sql in statements)
    wallet = payment.wallet
    assert posted.created is True
    assert posted.balances_after == {wallet.pk: 300}
    stored = LedgerTransaction.objects.get(idempotency_key="inside")
    assert stored.pk == posted.transaction.pk
    assert stored.details == {"gift": 7, "balances_after": {str(wallet.pk): 300}}
    assert entries_of(stored) == {
        (wallet.pk, -200, True),
        (platform(Account.Kind.PLATFORM_REVENUE).pk, 200, False),
        (platform(Account.Kind.DIAMOND_ISSUANCE).pk, -140, False),
        (earnings_of(creator).pk, 140, False),
    }
    assert coins(payer) == 300
    assert diamonds(creator) == 140
    assert audit_ledger().clean


def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(creator):
    short = UserFactory()
    grant(wallet_of(short), 150)

    with transaction.atomic():
        with pytest.raises(InsufficientFunds):
            pay(short, creator, key="too-much", coins=200, diamonds=140)
        assert coins(short) == 150  # the caller's transaction still answers

    assert not LedgerTransaction.objects.filter(idempotency_key="too-much").exists()
    assert audit_ledger().clean


# --- A gift --------------------------------------------------------------------------


@pytest.mark.usefixtures("catalog")
def test_a_gift_whose_accounts_exist_takes_three_queries(payer, monkeypatch):
    # A gift alone (no other gift in its batch) takes the single path.
    stream = LiveStreamFactory()
    rose = Gift.objects.get(slug="rose")  # 1 coin
    send_gift(sender=payer, stream_id=stream.pk, gift_id=rose.pk, idempotency_key="warm-up")
    assert gift_sending.get_gift(gift_id=rose.pk) is not None  # the catalog is kept
    broadcasts = capture_broadcasts(monkeypatch)
    counted = []
    monkeypatch.setattr(leaderboards, "_increment_boards", counted.extend)

    with CaptureQueriesContext(connection) as captured:
        sent = send_gift(sender=payer, stream_id=stream.pk, gift_id=rose.pk, idempotency_key="g")

    statements = [query["sql"] for query in captured.captured_queries]
    assert len(statements) == 3, statements
    room, accounts, posting = statements
    assert '"streams_stream"' in room
    assert '"economy_account"' in accounts
    assert posting.lstrip().startswith("WITH balance AS")
    assert sent.created is True
    assert sent.balance == 498
    assert coins(payer) == 498
    assert diamonds(stream.host) == 2  # 1 diamond per rose
    (frame,) = broadcasts.of_type("gift.sent")
    assert frame["id"] == sent.transaction.pk
    assert frame["coins"] == 1
    assert counted == [
        leaderboards.CountedGift(
            stream_id=stream.pk, sender_id=payer.pk, creator_id=stream.host_id, coins=1, diamonds=1
        )
    ]
    assert audit_ledger().clean


@pytest.mark.usefixtures("catalog")
def test_a_repeated_gift_on_postgresql_answers_as_the_first_and_is_not_broadcast_again(
    payer, monkeypatch
):
    stream = LiveStreamFactory()
    rose = Gift.objects.get(slug="rose")
    first = send_gift(sender=payer, stream_id=stream.pk, gift_id=rose.pk, idempotency_key="g")
    broadcasts = capture_broadcasts(monkeypatch)

    again = send_gift(sender=payer, stream_id=stream.pk, gift_id=rose.pk, idempotency_key="g")

    assert again.created is False
    assert again.transaction.pk == first.transaction.pk
    assert again.balance == first.balance == 499
    assert broadcasts.of_type("gift.sent") == []
    assert coins(payer) == 499
    assert audit_ledger().clean
