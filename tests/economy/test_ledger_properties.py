"""Property test: whatever sequence of grants, spends, transfers between users and
roll-ups runs (including refused ones and repeated idempotency keys), every ledger
invariant holds and every balance equals a simple model of what should have moved."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from economy.audit import audit_ledger
from economy.exceptions import InsufficientFunds
from economy.models import Account, LedgerTransaction
from economy.selectors.ledger import get_account_balance
from economy.services import ledger
from tests.economy.ledger_helpers import grant, spend, wallet_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = 3

operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(0, PEOPLE - 1), st.integers(1, 500)),
        st.tuples(st.just("spend"), st.integers(0, PEOPLE - 1), st.integers(1, 500)),
        st.tuples(
            st.just("transfer"),
            st.integers(0, PEOPLE - 1),
            st.integers(1, 500),
            st.integers(0, PEOPLE - 1),
        ),
        st.tuples(st.just("repeat"), st.integers(0, 1000)),
        st.tuples(st.just("roll_up"), st.integers(0, PEOPLE - 1)),
    ),
    max_size=40,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_any_sequence_keeps_every_invariant(django_db_blocker, steps):
    wallets = [wallet_of(UserFactory()) for _ in range(PEOPLE)]
    expected = [0] * PEOPLE
    keys: list[str] = []
    for number, step in enumerate(steps):
        key = f"step-{wallets[0].pk}-{number}"
        match step:
            case ("grant", who, amount):
                grant(wallets[who], amount, key=key)
                expected[who] += amount
                keys.append(key)
            case ("spend", who, amount):
                try:
                    spend(wallets[who], amount, key=key)
                except InsufficientFunds:
                    assert expected[who] < amount
                else:
                    expected[who] -= amount
                    keys.append(key)
            case ("transfer", who, amount, to):
                if who == to:
                    continue
                try:
                    spend(wallets[who], amount, key=key, to=wallets[to])
                except InsufficientFunds:
                    assert expected[who] < amount
                else:
                    expected[who] -= amount
                    expected[to] += amount
                    keys.append(key)
            case ("repeat", index):
                # Replaying a posted key moves nothing.
                if keys:
                    first = LedgerTransaction.objects.get(idempotency_key=keys[index % len(keys)])
                    legs = [
                        ledger.Posting(account=entry.account, amount=entry.amount)
                        for entry in first.entries.select_related("account")
                    ]
                    again = ledger.post_transaction(
                        kind=first.kind, idempotency_key=first.idempotency_key, postings=legs
                    )
                    assert not again.created
            case ("roll_up", who):
                ledger.roll_up_account(account_id=wallets[who].pk)

    balances = [
        get_account_balance(account=Account.objects.get(pk=wallet.pk)) for wallet in wallets
    ]
    assert balances == expected
    assert all(balance >= 0 for balance in balances)
    report = audit_ledger()
    assert report.clean, report.as_text()
