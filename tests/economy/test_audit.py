"""`manage.py audit_ledger` and the nightly job: every invariant, a report on breach."""

from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command

from economy.models import Account, LedgerEntry, LedgerTransaction
from economy.tasks import audit_ledger_nightly, roll_up_balances
from tests.economy.ledger_helpers import grant, promotions, spend, wallet_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger_in_use():
    wallet = wallet_of(UserFactory())
    grant(wallet, 100)
    spend(wallet, 40)
    return wallet


def run_audit() -> str:
    out = StringIO()
    call_command("audit_ledger", stdout=out)
    return out.getvalue()


def breach_report() -> str:
    with pytest.raises(CommandError) as failed:
        run_audit()
    return str(failed.value)


def test_a_clean_ledger_passes_and_says_what_it_checked(ledger_in_use):
    report = run_audit()

    assert "checked 2 transactions, 4 entries, 3 accounts" in report
    assert "ledger clean" in report


def test_an_unbalanced_transaction_is_reported(ledger_in_use):
    broken = LedgerTransaction.objects.create(kind="adjustment", idempotency_key="hand-made")
    LedgerEntry.objects.create(transaction=broken, account=ledger_in_use, amount=5, rolled_up=True)
    Account.objects.filter(pk=ledger_in_use.pk).update(balance=65)

    report = breach_report()

    assert f"transaction #{broken.pk}: coins sum to +5" in report
    assert f"transaction #{broken.pk}: 1 entries" in report


def test_a_cached_balance_that_drifted_is_reported(ledger_in_use):
    Account.objects.filter(pk=ledger_in_use.pk).update(balance=1_000)

    report = breach_report()

    assert f"account #{ledger_in_use.pk}: cached 1000, its rolled-up entries sum to 60" in report


def test_a_wallet_below_zero_is_reported(ledger_in_use):
    broken = LedgerTransaction.objects.create(kind="gift", idempotency_key="overdraw")
    LedgerEntry.objects.create(transaction=broken, account=ledger_in_use, amount=-90)
    LedgerEntry.objects.create(transaction=broken, account=promotions(), amount=90)

    report = breach_report()

    assert f"account #{ledger_in_use.pk}: balance -30" in report


def test_the_nightly_job_emails_staff_on_a_breach(ledger_in_use):
    UserFactory(is_staff=True, email="ops@example.com")
    UserFactory(is_staff=False, email="viewer@example.com")
    Account.objects.filter(pk=ledger_in_use.pk).update(balance=7)

    assert audit_ledger_nightly.delay().get() is False

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.com"]
    assert "cached 7" in mail.outbox[0].body


def test_the_nightly_job_is_quiet_when_clean(ledger_in_use):
    UserFactory(is_staff=True, email="ops@example.com")

    assert audit_ledger_nightly.delay().get() is True
    assert mail.outbox == []


def test_beat_rolls_balances_up_every_minute_and_audits_nightly(ledger_in_use):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["roll-up-ledger-balances"]["schedule"] == 60
    assert schedule["audit-ledger"]["task"] == "economy.tasks.audit_ledger_nightly"

    roll_up_balances.delay()

    assert not LedgerEntry.objects.filter(rolled_up=False).exists()
    assert "ledger clean" in run_audit()


def paid_payment():
    from economy.models import CoinPackage
    from economy.payments.dev import DevProvider
    from economy.services import payments

    buyer = UserFactory()
    payment = payments.start_coin_purchase(
        user=buyer,
        package_id=CoinPackage.objects.get(coins=100).pk,
        provider_name="dev",
        currency="USD",
        absolute_url=str,
    ).payment
    token = DevProvider({}).decide(payment=payment, choice="pay")
    payments.confirm_payment_return(payment=payment, params={"dev_token": token})
    payment.refresh_from_db()
    return payment


def test_paid_payments_credited_once_pass():
    paid_payment()

    assert "ledger clean" in run_audit()


def test_a_paid_payment_without_its_coins_is_reported():
    from economy.models import Payment

    payment = paid_payment()
    LedgerTransaction.objects.filter(pk=payment.credit_transaction_id).update(reference_id="0")

    report = breach_report()

    assert f"payment {payment.public_id}: paid, credited 0 times" in report
    assert "credited for payment 0, not a paid payment" in report
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_coins_credited_for_a_payment_that_failed_are_reported():
    from economy.models import Payment

    payment = paid_payment()
    Payment.objects.filter(pk=payment.pk).update(status="failed", credit_transaction=None)

    report = breach_report()

    assert "not a paid payment" in report
