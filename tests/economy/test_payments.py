"""Buying coins: a payment credits its coins exactly once whatever order and number
of times the provider's messages arrive; forged and wrong-amount messages credit
nothing; refunds take coins back and leave the rest as debt."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from moneyed import Money

from economy.audit import audit_ledger
from economy.exceptions import CoinDebtOutstanding, PaymentError
from economy.models import CoinPackage, Gift, LedgerTransaction, Payment, PaymentEvent
from economy.payments import base, registry
from economy.payments.dev import DevProvider
from economy.selectors.ledger import get_wallet_summary
from economy.services import payments
from economy.services.gifts import send_gift
from economy.services.rewards import grant_coins
from economy.tasks import check_pending_payments
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

pytestmark = pytest.mark.django_db


def wallet(user) -> dict:
    return get_wallet_summary(user=user)


def package(coins=1000) -> CoinPackage:
    return CoinPackage.objects.get(coins=coins)  # seeded: 1000 + 100 bonus


def start(user, *, coins=1000, currency="USD") -> Payment:
    started = payments.start_coin_purchase(
        user=user,
        package_id=package(coins).pk,
        provider_name="dev",
        currency=currency,
        absolute_url=lambda path: f"https://halobuzz.test{path}",
    )
    return started.payment


def dev_token(payment, choice="pay") -> str:
    return DevProvider({}).decide(payment=payment, choice=choice)


def webhook(token: str) -> str:
    return payments.handle_provider_webhook(
        provider_name="dev", body=json.dumps({"token": token}).encode(), headers={}
    )


def credits_of(payment) -> int:
    return LedgerTransaction.objects.filter(
        kind=LedgerTransaction.Kind.COIN_PURCHASE, reference_id=str(payment.pk)
    ).count()


@pytest.fixture
def buyer():
    return UserFactory(preferred_currency="EUR")


def test_a_purchase_starts_pending_at_the_package_price_in_the_chosen_currency(buyer):
    payment = start(buyer, currency="BRL")

    assert payment.status == Payment.Status.PENDING
    assert payment.amount == Money("49.90", "BRL")
    assert payment.coins == 1100
    assert payment.provider_reference == f"dev_{payment.public_id.hex}"


def test_a_package_without_a_price_in_the_currency_cannot_be_bought(buyer):
    package(100).prices.filter(price_currency="GBP").delete()

    with pytest.raises(PaymentError) as refused:
        start(buyer, coins=100, currency="GBP")
    assert refused.value.code == "package_unavailable"


def test_a_paid_return_credits_the_coins(buyer):
    payment = start(buyer)

    payments.confirm_payment_return(payment=payment, params={"dev_token": dev_token(payment)})

    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.completed_at is not None
    assert wallet(buyer)["coins"] == 1100
    assert audit_ledger().clean


def test_a_webhook_replayed_100_times_credits_once(buyer):
    payment = start(buyer)
    token = dev_token(payment)

    outcomes = [webhook(token) for _ in range(100)]

    assert set(outcomes) == {"succeeded"}
    assert wallet(buyer)["coins"] == 1100
    assert credits_of(payment) == 1
    assert PaymentEvent.objects.filter(payment=payment, source="webhook").count() == 1


def test_the_return_and_the_webhook_in_either_order_credit_once(buyer):
    first, second = start(buyer), start(buyer)
    token_first, token_second = dev_token(first), dev_token(second)

    webhook(token_first)
    payments.confirm_payment_return(payment=first, params={"dev_token": token_first})
    payments.confirm_payment_return(payment=second, params={"dev_token": token_second})
    webhook(token_second)

    assert wallet(buyer)["coins"] == 2200
    assert credits_of(first) == credits_of(second) == 1
    assert audit_ledger().clean


def test_a_forged_return_is_logged_and_credits_nothing(buyer):
    payment = start(buyer)
    forged = dev_token(payment)[:-3] + "abc"

    payments.confirm_payment_return(payment=payment, params={"dev_token": forged})

    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert wallet(buyer)["coins"] == 0
    assert PaymentEvent.objects.get(payment=payment).outcome == "rejected"


def test_a_return_carrying_another_payments_token_credits_nothing(buyer):
    mine, other = start(buyer), start(UserFactory())

    payments.confirm_payment_return(payment=mine, params={"dev_token": dev_token(other)})

    assert wallet(buyer)["coins"] == 0


def test_a_forged_webhook_is_refused_with_400_and_logged(client, buyer):
    start(buyer)

    response = client.post(
        "/payments/webhooks/dev", data=b'{"token": "forged"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"code": "invalid_signature"}
    assert PaymentEvent.objects.get(payment=None).outcome == "rejected"
    assert not LedgerTransaction.objects.filter(kind="coin_purchase").exists()


def test_a_report_of_the_wrong_amount_fails_the_payment_and_credits_nothing(buyer):
    payment = start(buyer)
    report = base.ProviderReport(
        status=base.SUCCEEDED,
        provider_reference=payment.provider_reference,
        amount=Money("0.99", "USD"),
    )

    payments.record_provider_report(provider_name="dev", report=report, source="webhook")

    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (Payment.Status.FAILED, "amount_mismatch")
    assert wallet(buyer)["coins"] == 0


def test_the_right_amount_in_another_currency_is_the_wrong_amount(buyer):
    payment = start(buyer)
    report = base.ProviderReport(
        status=base.SUCCEEDED,
        provider_reference=payment.provider_reference,
        amount=Money("9.99", "EUR"),
    )

    payments.record_provider_report(provider_name="dev", report=report, source="webhook")

    assert wallet(buyer)["coins"] == 0


def test_a_declined_payment_credits_nothing_and_a_late_success_still_pays(buyer):
    payment = start(buyer)
    webhook(dev_token(payment, "decline"))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED

    webhook(dev_token(payment, "pay"))  # the bank retried and it went through

    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert wallet(buyer)["coins"] == 1100


def test_a_failure_after_success_changes_nothing(buyer):
    payment = start(buyer)
    webhook(dev_token(payment, "pay"))

    webhook(dev_token(payment, "decline"))

    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert wallet(buyer)["coins"] == 1100


def test_a_refund_after_spending_takes_what_is_left_and_records_the_rest_as_debt(buyer):
    payment = start(buyer)
    webhook(dev_token(payment))
    stream = LiveStreamFactory()
    send_gift(
        sender=buyer,
        stream_id=stream.pk,
        gift_id=Gift.objects.get(slug="fireworks").pk,  # 1000 coins
        idempotency_key="spent",
    )
    payment.refresh_from_db()

    payments.refund_payment(payment=payment, staff_user=UserFactory(is_staff=True))

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert wallet(buyer) == {"coins": 0, "diamonds": 0, "coin_debt": 1000}
    assert audit_ledger().clean


def test_coin_debt_blocks_spending_until_a_purchase_repays_it(buyer):
    payment = start(buyer)
    webhook(dev_token(payment))
    stream = LiveStreamFactory()
    rose = Gift.objects.get(slug="rose")

    def gift(key):
        return send_gift(sender=buyer, stream_id=stream.pk, gift_id=rose.pk, idempotency_key=key)

    for number in range(600):  # spend 600 of the 1,100 coins
        gift(f"rose-{number}")
    payment.refresh_from_db()
    payments.refund_payment(payment=payment, staff_user=UserFactory(is_staff=True))
    assert wallet(buyer)["coin_debt"] == 600

    grant_coins(user=buyer, coins=50, reason="daily bonus", idempotency_key="bonus")
    with pytest.raises(CoinDebtOutstanding) as refused:
        gift("while-owing")
    assert refused.value.extra == {"owed": 600}

    second = start(buyer)  # 1,100 coins: 600 settle the debt
    webhook(dev_token(second))

    assert wallet(buyer) == {"coins": 550, "diamonds": 0, "coin_debt": 0}
    gift("after-repaying")
    assert wallet(buyer)["coins"] == 549
    assert audit_ledger().clean


def test_a_refund_reported_twice_takes_coins_back_once(buyer):
    payment = start(buyer)
    webhook(dev_token(payment))
    refund = base.ProviderReport(
        status=base.REFUNDED, provider_reference=payment.provider_reference
    )

    for _ in range(3):
        payments.record_provider_report(provider_name="dev", report=refund, source="webhook")

    assert wallet(buyer) == {"coins": 0, "diamonds": 0, "coin_debt": 0}
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1


def test_only_paid_payments_can_be_refunded(buyer):
    payment = start(buyer)
    with pytest.raises(PaymentError) as refused:
        payments.refund_payment(payment=payment, staff_user=UserFactory(is_staff=True))
    assert refused.value.code == "not_refundable"


def test_the_status_job_settles_payments_left_pending(buyer):
    payment = start(buyer)
    dev_token(payment)  # paid at the provider; the buyer closed the tab
    Payment.objects.filter(pk=payment.pk).update(updated_at=payment.updated_at.replace(year=2020))

    assert check_pending_payments() == 1

    assert wallet(buyer)["coins"] == 1100


def test_an_unknown_provider_or_currency_it_cannot_charge_is_refused(buyer):
    with pytest.raises(PaymentError) as refused:
        payments.start_coin_purchase(
            user=buyer,
            package_id=package().pk,
            provider_name="stripe",
            currency="USD",
            absolute_url=str,
        )
    assert refused.value.code == "provider_unavailable"


@override_settings(DEBUG=False, PAYMENTS_DEV_PROVIDER_WITHOUT_DEBUG=False)
def test_the_dev_provider_is_refused_at_start_up_when_debug_is_off():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        registry.check_payment_settings()


@override_settings(DEBUG=True, PAYMENT_PROVIDERS={"dev": {}, "paypal": {}})
def test_an_unknown_provider_in_the_settings_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="paypal"):
        registry.check_payment_settings()
