"""Gifts and purchases under concurrency, on PostgreSQL: many threads, each its own
connection, through the service layer and the API."""

import json

import pytest
from rest_framework.test import APIClient

from economy.audit import audit_ledger
from economy.exceptions import InsufficientFunds
from economy.models import CoinPackage, Gift, LedgerTransaction
from economy.payments.dev import DevProvider
from economy.services import payments
from economy.services.gifts import send_gift
from tests.economy.concurrency import race
from tests.economy.ledger_helpers import coins, diamonds, grant, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgresql", "catalog"),
]


def test_200_concurrent_gifts_from_a_viewer_who_can_pay_for_50_send_exactly_50():
    stream = LiveStreamFactory()
    viewer = UserFactory()
    coffee = Gift.objects.get(slug="coffee")  # 10 coins
    grant(wallet_of(viewer), 50 * 10)

    results = race(
        lambda number: send_gift(
            sender=viewer, stream_id=stream.pk, gift_id=coffee.pk, idempotency_key=f"g{number}"
        ),
        range(200),
    )

    sent = [result for result in results if not isinstance(result, Exception)]
    refused = [result for result in results if isinstance(result, Exception)]
    assert len(sent) == 50
    assert len(refused) == 150
    assert all(isinstance(error, InsufficientFunds) for error in refused)
    assert {error.code for error in refused} == {"insufficient_coins"}
    assert coins(viewer) == 0
    assert diamonds(stream.host) == 50 * 7
    assert audit_ledger().clean


def test_100_viewers_gifting_one_creator_at_once_leave_exact_diamonds():
    stream = LiveStreamFactory()
    trophy = Gift.objects.get(slug="trophy")  # 200 coins -> 140 diamonds
    viewers = [UserFactory() for _ in range(100)]
    for viewer in viewers:
        grant(wallet_of(viewer), 200)

    results = race(
        lambda viewer: send_gift(
            sender=viewer, stream_id=stream.pk, gift_id=trophy.pk, idempotency_key="one"
        ),
        viewers,
    )

    assert not [result for result in results if isinstance(result, Exception)]
    assert diamonds(stream.host) == 100 * 140
    assert all(coins(viewer) == 0 for viewer in viewers)
    assert audit_ledger().clean


def test_the_same_idempotency_key_sent_20_times_at_once_moves_value_once_with_one_answer():
    stream = LiveStreamFactory()
    viewer = UserFactory()
    grant(wallet_of(viewer), 1000)
    mic = Gift.objects.get(slug="mic")  # 30 coins

    def post(_):
        client = APIClient()
        client.force_authenticate(viewer)
        response = client.post(
            "/api/v1/gifts/send",
            {"stream": stream.pk, "gift": mic.pk, "quantity": 2},
            format="json",
            headers={"Idempotency-Key": "tap-7f3a"},
        )
        return response.status_code, response.json()

    answers = race(post, range(20))

    assert {status for status, _ in answers} == {201}
    bodies = {json.dumps(body, sort_keys=True) for _, body in answers}
    assert len(bodies) == 1
    assert coins(viewer) == 940
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.GIFT).count() == 1
    assert audit_ledger().clean


def test_a_return_and_webhooks_racing_credit_a_payment_once():
    buyer = UserFactory()
    started = payments.start_coin_purchase(
        user=buyer,
        package_id=CoinPackage.objects.get(coins=1000).pk,
        provider_name="dev",
        currency="USD",
        absolute_url=str,
    )
    payment = started.payment
    token = DevProvider({}).decide(payment=payment, choice="pay")

    def deliver(number):
        if number % 2:
            return payments.confirm_payment_return(payment=payment, params={"dev_token": token})
        return payments.handle_provider_webhook(
            provider_name="dev", body=json.dumps({"token": token}).encode(), headers={}
        )

    results = race(deliver, range(30))

    assert not [result for result in results if isinstance(result, Exception)]
    assert coins(buyer) == 1100
    assert (
        LedgerTransaction.objects.filter(kind="coin_purchase", reference_id=str(payment.pk)).count()
        == 1
    )
    assert audit_ledger().clean
