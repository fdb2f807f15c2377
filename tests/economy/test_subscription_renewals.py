"""Subscriptions Stripe renews every month (economy.services.subscription_renewals):
a card checkout in subscription mode, each renewal Stripe reports becomes one paid
month however often it is delivered, and stopping renewal lets the paid month run
out. Stripe's HTTP is answered from recorded responses (respx)."""

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qsl

import pytest
import respx
from django.urls import reverse
from moneyed import Money

from economy.audit import audit_ledger
from economy.models import CreatorSubscription, LedgerTransaction, Payment
from economy.payments.stripe import StripeProvider
from economy.services import earnings, payments, subscriptions
from tests.economy.ledger_helpers import diamonds
from tests.economy.payments.support import recorded, unsaved_payment
from tests.factories import UserFactory

API = "https://api.stripe.test"
WEBHOOK_SECRET = "whsec_test_secret"
STRIPE = {"secret_key": "sk_test_123", "webhook_secret": WEBHOOK_SECRET, "api_base": API}
SUBSCRIPTION_ID = "sub_1QsubLkdIwHu7ixMonthly01"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stripe_enabled(settings):
    settings.PAYMENT_PROVIDERS = {"dev": {}, "stripe": STRIPE}


@pytest.fixture
def stripe_api():
    with respx.mock(base_url=API, assert_all_called=False) as router:
        router.post("/v1/checkout/sessions").respond(
            200, json=recorded("stripe_checkout_session_created")
        )
        yield router


@pytest.fixture
def creator():
    user = UserFactory(is_creator=True, display_name="Ana Lisboa")
    subscriptions.save_subscription_settings(creator=user, levels=[1, 2])
    return user


@pytest.fixture
def fan():
    return UserFactory(preferred_currency="EUR")


def start(fan, creator, *, renews_monthly=True, provider="stripe") -> Payment:
    return subscriptions.start_subscription_checkout(
        subscriber=fan,
        creator=creator,
        level=1,
        provider_name=provider,
        currency="EUR",
        absolute_url=lambda path: f"https://halobuzz.test{path}",
        renews_monthly=renews_monthly,
    ).payment


def deliver(name: str, *, event_id: str | None = None, **object_changes) -> str:
    """A signed Stripe webhook delivery of a recorded event."""
    event = recorded(name)
    event["data"]["object"].update(object_changes)
    if event_id:
        event["id"] = event_id
    body = json.dumps(event).encode()
    timestamp = int(time.time())
    signature = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return payments.handle_provider_webhook(
        provider_name="stripe",
        body=body,
        headers={"stripe-signature": f"t={timestamp},v1={signature}"},
    )


def first_month_paid(payment: Payment) -> str:
    return deliver(
        "stripe_event_checkout_session_completed_subscription",
        id=payment.provider_reference,
        amount_total=int(payment.amount.amount * 100),
        metadata={"payment": str(payment.public_id)},
    )


def renewal(payment: Payment, *, event_id: str, invoice="in_1QrenewLkdIwHu7ixInv0002", **changes):
    changes.setdefault("amount_paid", int(payment.amount.amount * 100))
    return deliver("stripe_event_invoice_paid_renewal", event_id=event_id, id=invoice, **changes)


def diamonds_for_a_month(payment: Payment) -> int:
    return earnings.diamonds_for(coins=payment.coins, share_percent=70)  # an Affiliate


def subscription_of(fan, creator) -> CreatorSubscription:
    return CreatorSubscription.objects.get(subscriber=fan, creator=creator)


def form_of(request) -> dict:
    return dict(parse_qsl(request.content.decode()))


def test_a_renewing_card_checkout_asks_stripe_for_a_monthly_subscription(fan, creator, stripe_api):
    payment = start(fan, creator)

    form = form_of(stripe_api.calls.last.request)
    assert payment.renews_monthly is True
    assert form["mode"] == "subscription"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    assert form["line_items[0][price_data][unit_amount]"] == str(int(payment.amount.amount * 100))
    assert form["subscription_data[metadata][payment]"] == str(payment.public_id)
    assert "payment_intent_data[metadata][payment]" not in form
    assert [key for key in form if key.startswith("payment_method_types")] == [
        "payment_method_types[0]"
    ]
    assert form["payment_method_types[0]"] == "card"


def test_a_provider_that_cannot_renew_charges_one_month(fan, creator):
    payment = start(fan, creator, provider="dev")

    assert payment.renews_monthly is False


def test_the_first_month_and_each_renewal_add_one_month_however_often_reported(
    fan, creator, stripe_api
):
    payment = start(fan, creator)

    assert first_month_paid(payment) == "succeeded"
    subscription = subscription_of(fan, creator)
    assert (subscription.months, subscription.renews_monthly) == (1, True)
    assert subscription.renewal_reference == SUBSCRIPTION_ID
    paid_until = subscription.expires_at

    assert renewal(payment, event_id="evt_renew_1") == "succeeded"
    assert renewal(payment, event_id="evt_renew_1") == "succeeded"  # the same delivery again
    assert renewal(payment, event_id="evt_renew_1_again") == "succeeded"  # another event

    subscription.refresh_from_db()
    assert subscription.months == 2
    assert (subscription.expires_at - paid_until).days == 30
    renewals = Payment.objects.filter(user=fan).exclude(pk=payment.pk)
    assert [(p.status, p.provider_reference, p.renews_monthly) for p in renewals] == [
        ("succeeded", "in_1QrenewLkdIwHu7ixInv0002", False)
    ]
    assert renewals[0].provider_transaction_id == "pi_3QrenewLkdIwHu7ix0Intent2"
    assert renewals[0].amount == payment.amount
    months_paid = LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.SUBSCRIPTION)
    assert months_paid.count() == 2
    one_month = diamonds_for_a_month(payment)
    assert diamonds(creator) == 2 * one_month
    assert audit_ledger().clean


def test_a_renewal_for_another_amount_adds_no_month(fan, creator, stripe_api):
    payment = start(fan, creator)
    first_month_paid(payment)

    outcome = renewal(payment, event_id="evt_renew_wrong", amount_paid=1)

    assert outcome == "failed"
    assert subscription_of(fan, creator).months == 1
    assert Payment.objects.get(provider_reference="in_1QrenewLkdIwHu7ixInv0002").failure_code == (
        "amount_mismatch"
    )
    assert audit_ledger().clean


def test_a_renewal_of_no_subscription_of_ours_moves_nothing(fan, creator):
    outcome = deliver(
        "stripe_event_invoice_paid_renewal", event_id="evt_stranger", subscription="sub_stranger"
    )

    assert outcome == "unknown_payment"
    assert not Payment.objects.exists()


def test_the_first_invoice_of_a_subscription_is_the_checkouts_and_is_ignored(
    fan, creator, stripe_api
):
    payment = start(fan, creator)
    first_month_paid(payment)

    outcome = renewal(payment, event_id="evt_first_invoice", billing_reason="subscription_create")

    assert outcome == "ignored"
    assert subscription_of(fan, creator).months == 1


def test_renewing_subscriptions_are_not_reminded_to_renew(fan, creator, stripe_api):
    payment = start(fan, creator)
    first_month_paid(payment)
    subscription = subscription_of(fan, creator)
    soon = subscription.expires_at - subscriptions.REMINDER_BEFORE / 2

    assert subscriptions.list_subscriptions_to_remind(now=soon) == []

    deliver("stripe_event_customer_subscription_deleted")
    assert subscriptions.list_subscriptions_to_remind(now=soon) == [subscription]


def test_stripe_ending_the_subscription_stops_renewal_and_keeps_the_month(fan, creator, stripe_api):
    payment = start(fan, creator)
    first_month_paid(payment)
    paid_until = subscription_of(fan, creator).expires_at

    assert deliver("stripe_event_customer_subscription_deleted") == "renewal_ended"

    subscription = subscription_of(fan, creator)
    assert subscription.renews_monthly is False
    assert subscription.expires_at == paid_until


def test_the_subscriber_stops_renewal_from_the_box_and_the_month_runs_out(
    client, fan, creator, stripe_api
):
    payment = start(fan, creator)
    first_month_paid(payment)
    cancel = stripe_api.post(f"/v1/subscriptions/{SUBSCRIPTION_ID}").respond(
        200, json=recorded("stripe_subscription_cancel_at_period_end")
    )
    client.force_login(fan)
    box = client.get(creator.get_absolute_url()).content.decode()
    assert "Renews automatically every month." in box
    assert reverse("economy:stop-renewal", args=[creator.username]) in box

    response = client.post(reverse("economy:stop-renewal", args=[creator.username]), follow=True)

    assert form_of(cancel.calls.last.request) == {"cancel_at_period_end": "true"}
    subscription = subscription_of(fan, creator)
    assert subscription.renews_monthly is False
    assert subscription.months == 1
    body = response.content.decode()
    assert "Automatic renewal stopped." in body
    assert "Renews automatically every month." not in body


def test_when_stripe_cannot_be_reached_renewal_is_not_stopped_and_the_subscriber_is_told(
    client, fan, creator, stripe_api
):
    payment = start(fan, creator)
    first_month_paid(payment)
    stripe_api.post(f"/v1/subscriptions/{SUBSCRIPTION_ID}").respond(503)
    client.force_login(fan)

    response = client.post(reverse("economy:stop-renewal", args=[creator.username]), follow=True)

    assert subscription_of(fan, creator).renews_monthly is True
    assert "did not answer; nothing was changed" in response.content.decode()


def test_the_box_offers_renewal_with_a_card_and_not_without(client, fan, creator, settings):
    client.force_login(fan)
    assert "Renew every month until I stop it (Card (Stripe))" in (
        client.get(creator.get_absolute_url()).content.decode()
    )

    settings.PAYMENT_PROVIDERS = {"dev": {}}
    assert "Renew every month" not in client.get(creator.get_absolute_url()).content.decode()


def test_paying_from_the_box_with_renewal_ticked_opens_a_renewing_checkout(
    client, fan, creator, stripe_api
):
    client.force_login(fan)

    client.post(
        reverse("economy:subscribe-with-money", args=[creator.username]),
        {"level": 1, "provider": "stripe", "currency": "EUR", "renews_monthly": "1"},
    )

    assert Payment.objects.get(user=fan).renews_monthly is True
    assert form_of(stripe_api.calls.last.request)["mode"] == "subscription"


def test_a_month_of_a_stripe_subscription_is_refunded_through_its_invoice():
    provider = StripeProvider(STRIPE)
    month = unsaved_payment(
        amount=Money("3.99", "EUR"),
        provider_reference="cs_test_b1SubMonthly9xQwErTyUiOp",
        provider_transaction_id="in_1QsubFirstLkdIwHu7ixInv001",
    )
    with respx.mock(base_url=API) as stripe_api:
        stripe_api.get("/v1/invoices/in_1QsubFirstLkdIwHu7ixInv001").respond(
            200, json={"id": "in_1QsubFirstLkdIwHu7ixInv001", "payment_intent": "pi_first_month"}
        )
        refund = stripe_api.post("/v1/refunds").respond(
            200, json=recorded("stripe_refund_succeeded")
        )

        report = provider.refund(payment=month)

    assert form_of(refund.calls.last.request)["payment_intent"] == "pi_first_month"
    assert report.status == "refunded"
