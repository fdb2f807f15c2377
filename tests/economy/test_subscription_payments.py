"""Creator subscriptions paid with money: a month through any payment provider, added
once however the provider's messages arrive, the creator's share as with coins, and a
refund takes the month back."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from moneyed import Money

from economy.audit import audit_ledger
from economy.exceptions import PaymentError
from economy.models import CreatorSubscription, LedgerTransaction, Payment
from economy.payments.dev import DevProvider
from economy.selectors.ledger import get_wallet_summary
from economy.services import payments, subscriptions
from economy.services.subscriptions import SubscriptionError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator():
    user = UserFactory(is_creator=True, display_name="Ana Lisboa")
    subscriptions.save_subscription_settings(creator=user, levels=[1, 2])
    return user


@pytest.fixture
def fan():
    return UserFactory(preferred_currency="EUR")


def start(fan, creator, *, level=1, currency="EUR", provider="dev") -> Payment:
    return subscriptions.start_subscription_checkout(
        subscriber=fan,
        creator=creator,
        level=level,
        provider_name=provider,
        currency=currency,
        absolute_url=lambda path: f"https://halobuzz.test{path}",
    ).payment


def pay(payment, choice="pay") -> str:
    token = DevProvider({}).decide(payment=payment, choice=choice)
    return payments.handle_provider_webhook(
        provider_name="dev", body=json.dumps({"token": token}).encode(), headers={}
    )


def subscription_of(fan, creator) -> CreatorSubscription | None:
    return CreatorSubscription.objects.filter(subscriber=fan, creator=creator).first()


def test_a_month_is_priced_in_the_fans_currency_and_waits_for_the_provider(fan, creator):
    payment = start(fan, creator, level=2, currency="BRL")

    assert payment.status == Payment.Status.PENDING
    assert payment.purpose == Payment.Purpose.SUBSCRIPTION
    assert payment.amount == Money("49.90", "BRL")
    assert payment.coins == 1000
    assert subscription_of(fan, creator) is None


def test_a_confirmed_payment_adds_the_month_and_pays_the_creator_their_share(fan, creator):
    payment = start(fan, creator)

    assert pay(payment) == Payment.Status.SUCCEEDED

    subscription = subscription_of(fan, creator)
    assert subscription.months == 1
    assert subscription.level == 1
    assert get_wallet_summary(user=creator)["diamonds"] == 280  # 70 % of 400 coins' worth
    # Paid with money: the fan's coins are untouched.
    assert get_wallet_summary(user=fan)["coins"] == 0
    assert audit_ledger().clean


def test_replayed_and_racing_confirmations_add_one_month(fan, creator):
    payment = start(fan, creator)
    token = DevProvider({}).decide(payment=payment, choice="pay")

    for _ in range(20):
        payments.handle_provider_webhook(
            provider_name="dev", body=json.dumps({"token": token}).encode(), headers={}
        )
    payments.confirm_payment_return(payment=payment, params={"token": token})

    assert subscription_of(fan, creator).months == 1
    assert (
        LedgerTransaction.objects.filter(
            kind=LedgerTransaction.Kind.SUBSCRIPTION, reference_type="payment"
        ).count()
        == 1
    )
    assert audit_ledger().clean


def test_a_paid_month_extends_a_running_subscription_from_its_end(fan, creator):
    pay(start(fan, creator))
    first_end = subscription_of(fan, creator).expires_at

    pay(start(fan, creator, level=2))

    subscription = subscription_of(fan, creator)
    assert subscription.months == 2
    assert subscription.level == 2
    assert subscription.expires_at == first_end + timedelta(days=30)


def test_a_declined_payment_adds_nothing(fan, creator):
    payment = start(fan, creator)

    assert pay(payment, choice="decline") == Payment.Status.FAILED

    assert subscription_of(fan, creator) is None
    assert get_wallet_summary(user=creator)["diamonds"] == 0
    assert audit_ledger().clean


def test_a_refund_takes_the_month_back_and_the_creator_keeps_the_diamonds(fan, creator):
    pay(start(fan, creator))
    payment = start(fan, creator)
    pay(payment)
    payment.refresh_from_db()
    end_before = subscription_of(fan, creator).expires_at

    payments.refund_payment(payment=payment, staff_user=UserFactory(is_staff=True))

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    subscription = subscription_of(fan, creator)
    assert subscription.months == 1
    assert subscription.expires_at == end_before - timedelta(days=30)
    assert get_wallet_summary(user=creator)["diamonds"] == 560
    assert audit_ledger().clean


def test_levels_the_creator_does_not_offer_cannot_be_paid_for(fan, creator):
    with pytest.raises(SubscriptionError) as refused:
        start(fan, creator, level=3)

    assert refused.value.code == "level_not_offered"
    assert not Payment.objects.exists()


def test_a_currency_without_a_price_is_refused(fan, creator):
    from economy.models import SubscriptionPrice

    SubscriptionPrice.objects.filter(price_currency="GBP").delete()

    with pytest.raises(SubscriptionError) as refused:
        start(fan, creator, currency="GBP")

    assert refused.value.code == "price_unavailable"


def test_a_provider_that_cannot_charge_the_currency_is_refused(fan, creator):
    with pytest.raises(PaymentError) as refused:
        start(fan, creator, currency="EUR", provider="esewa")

    assert refused.value.code == "provider_unavailable"


def test_the_subscribe_box_offers_money_in_the_viewers_currency(client, fan, creator):
    client.force_login(fan)

    page = client.get(creator.get_absolute_url())

    body = page.content.decode()
    assert reverse("economy:subscribe-with-money", args=[creator.username]) in body
    assert "Pay in EUR instead" in body
    assert "€3.99" in body


def test_paying_from_the_box_goes_to_the_checkout_and_back_to_the_month(client, fan, creator):
    client.force_login(fan)

    response = client.post(
        reverse("economy:subscribe-with-money", args=[creator.username]),
        {"level": 1, "provider": "dev", "currency": "EUR"},
    )

    payment = Payment.objects.get(user=fan)
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("economy:dev-checkout", args=[payment.public_id]))
    pay(payment)
    result = client.get(reverse("economy:payment", args=[payment.public_id]))
    assert "You support Ana Lisboa for another month" in result.content.decode()


def test_a_bad_form_says_what_is_missing_and_starts_nothing(client, fan, creator):
    client.force_login(fan)

    response = client.post(
        reverse("economy:subscribe-with-money", args=[creator.username]),
        {"level": 9, "provider": "dev", "currency": "EUR"},
        follow=True,
    )

    assert "Choose a subscription level and a way to pay." in response.content.decode()
    assert not Payment.objects.exists()
