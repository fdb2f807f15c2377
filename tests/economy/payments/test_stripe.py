import hashlib
import hmac
import json
import uuid
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
from moneyed import Money

from economy.payments import base
from economy.payments.stripe import StripeProvider
from tests.economy.payments.support import recorded, unsaved_payment

API = "https://api.stripe.test"
WEBHOOK_SECRET = "whsec_test_secret"
NOW = 1_716_800_300
PUBLIC_ID = uuid.UUID("5f0c6b8e-8a1d-4d8e-9a51-1f4b2c3d4e5f")
SESSION_ID = recorded("stripe_checkout_session_paid")["id"]
INTENT_ID = recorded("stripe_checkout_session_paid")["payment_intent"]


@pytest.fixture
def provider():
    provider = StripeProvider(
        {"secret_key": "sk_test_123", "webhook_secret": WEBHOOK_SECRET, "api_base": API}
    )
    provider.clock = lambda: NOW
    return provider


@pytest.fixture
def stripe_api():
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


def payment(currency="USD", amount="10.99", **fields):
    fields.setdefault("public_id", PUBLIC_ID)
    return unsaved_payment(amount=Money(amount, currency), **fields)


def started_payment(**fields):
    return payment(provider_reference=SESSION_ID, **fields)


def form_of(request: httpx.Request) -> dict:
    return dict(parse_qsl(request.content.decode()))


def signed_headers(body: bytes, *, timestamp=NOW, secret=WEBHOOK_SECRET) -> dict:
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return {"stripe-signature": f"t={timestamp},v1={signature}"}


def event_body(name: str, **object_changes) -> bytes:
    event = recorded(name)
    event["data"]["object"].update(object_changes)
    return json.dumps(event).encode()


# --- checkout -------------------------------------------------------------------
def test_checkout_opens_a_session_for_one_line_item_in_cents(provider, stripe_api):
    route = stripe_api.post("/v1/checkout/sessions").respond(
        200, json=recorded("stripe_checkout_session_created")
    )

    start = provider.start_checkout(
        payment=payment(),
        success_url="https://halobuzz.example/payments/return/",
        cancel_url="https://halobuzz.example/wallet/",
    )

    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer sk_test_123"
    assert request.headers["Idempotency-Key"] == f"checkout-{PUBLIC_ID}"
    assert form_of(request) == {
        "mode": "payment",
        "success_url": "https://halobuzz.example/payments/return/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://halobuzz.example/wallet/",
        "client_reference_id": str(PUBLIC_ID),
        "metadata[payment]": str(PUBLIC_ID),
        "payment_intent_data[metadata][payment]": str(PUBLIC_ID),
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "1099",
        "line_items[0][price_data][product_data][name]": "HaloBuzz coins: 1100",
        "payment_method_types[0]": "card",
    }
    session = recorded("stripe_checkout_session_created")
    assert start == base.CheckoutStart(
        provider_reference=session["id"], redirect_url=session["url"]
    )


@pytest.mark.parametrize(
    ("currency", "methods"),
    [("BRL", ["card", "pix"]), ("EUR", ["card", "mb_way"]), ("GBP", ["card"]), ("INR", ["card"])],
)
def test_checkout_offers_local_methods_by_currency(provider, stripe_api, currency, methods):
    route = stripe_api.post("/v1/checkout/sessions").respond(
        200, json=recorded("stripe_checkout_session_created")
    )

    provider.start_checkout(
        payment=payment(currency),
        success_url="https://h.example/r/",
        cancel_url="https://h.example/",
    )

    form = form_of(route.calls.last.request)
    offered = [
        value for key, value in sorted(form.items()) if key.startswith("payment_method_types")
    ]
    assert offered == methods
    assert form["line_items[0][price_data][currency]"] == currency.lower()


def test_checkout_keeps_the_return_urls_own_query(provider, stripe_api):
    route = stripe_api.post("/v1/checkout/sessions").respond(
        200, json=recorded("stripe_checkout_session_created")
    )

    provider.start_checkout(
        payment=payment(),
        success_url="https://h.example/r/?lang=ne",
        cancel_url="https://h.example/",
    )

    assert form_of(route.calls.last.request)["success_url"] == (
        "https://h.example/r/?lang=ne&session_id={CHECKOUT_SESSION_ID}"
    )


def test_checkout_in_rupees_is_refused_without_asking_stripe(provider, stripe_api):
    with pytest.raises(base.ProviderRefused) as refused:
        provider.start_checkout(
            payment=payment("NPR", "500"),
            success_url="https://h.example/r/",
            cancel_url="https://h.example/",
        )

    assert refused.value.code == "currency_not_supported"
    assert not stripe_api.calls


def test_stripe_refusing_a_checkout_is_refused_with_its_code(provider, stripe_api):
    error = {
        "error": {
            "type": "invalid_request_error",
            "code": "parameter_invalid_integer",
            "message": "Invalid integer: 0",
        }
    }
    stripe_api.post("/v1/checkout/sessions").respond(400, json=error)

    with pytest.raises(base.ProviderRefused) as refused:
        provider.start_checkout(
            payment=payment(), success_url="https://h.example/r/", cancel_url="https://h.example/"
        )

    assert refused.value.code == "parameter_invalid_integer"
    assert "Invalid integer" in str(refused.value)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500, json={"error": {"message": "boom"}}),
        httpx.Response(429),
        httpx.ConnectTimeout("slow"),
    ],
)
def test_stripe_down_slow_or_throttling_is_unavailable(provider, stripe_api, failure):
    stripe_api.post("/v1/checkout/sessions").mock(side_effect=[failure])

    with pytest.raises(base.ProviderUnavailable):
        provider.start_checkout(
            payment=payment(), success_url="https://h.example/r/", cancel_url="https://h.example/"
        )


# --- browser return and status --------------------------------------------------
def test_return_from_a_paid_session_reports_succeeded_with_the_amount(provider, stripe_api):
    stripe_api.get(f"/v1/checkout/sessions/{SESSION_ID}").respond(
        200, json=recorded("stripe_checkout_session_paid")
    )

    report = provider.handle_callback(payment=started_payment(), params={"session_id": SESSION_ID})

    assert report.status == base.SUCCEEDED
    assert report.amount == Money("10.99", "USD")
    assert report.provider_reference == SESSION_ID
    assert report.provider_transaction_id == INTENT_ID


@pytest.mark.parametrize("session_id", ["", "cs_test_someone_elses_session"])
def test_return_naming_another_session_is_forged(provider, stripe_api, session_id):
    with pytest.raises(base.ForgedCallback):
        provider.handle_callback(payment=started_payment(), params={"session_id": session_id})

    assert not stripe_api.calls


@pytest.mark.parametrize(
    ("session_status", "payment_status", "reported"),
    [
        ("open", "unpaid", base.PENDING),
        ("complete", "paid", base.SUCCEEDED),
        ("complete", "no_payment_required", base.SUCCEEDED),
        ("complete", "unpaid", base.PENDING),
        ("expired", "unpaid", base.CANCELLED),
    ],
)
def test_session_status_mapping(provider, stripe_api, session_status, payment_status, reported):
    session = recorded("stripe_checkout_session_paid")
    session.update(status=session_status, payment_status=payment_status)
    stripe_api.get(f"/v1/checkout/sessions/{SESSION_ID}").respond(200, json=session)

    report = provider.fetch_status(payment=started_payment())

    assert report.status == reported
    assert (report.amount is not None) == (reported == base.SUCCEEDED)


def test_an_expanded_payment_intent_is_read_by_its_id(provider, stripe_api):
    session = recorded("stripe_checkout_session_paid")
    session["payment_intent"] = {"id": INTENT_ID, "object": "payment_intent"}
    stripe_api.get(f"/v1/checkout/sessions/{SESSION_ID}").respond(200, json=session)

    assert provider.fetch_status(payment=started_payment()).provider_transaction_id == INTENT_ID


# --- webhooks -------------------------------------------------------------------
def test_signed_checkout_completed_webhook_reports_succeeded(provider):
    body = event_body("stripe_event_checkout_session_completed")

    report = provider.handle_webhook(body=body, headers=signed_headers(body))

    assert report.status == base.SUCCEEDED
    assert report.event_id == "evt_1PLmdNLkdIwHu7ixJ3fGZqTq"
    assert report.provider_reference == SESSION_ID
    assert report.provider_transaction_id == INTENT_ID
    assert report.amount == Money("10.99", "USD")


@pytest.mark.parametrize(
    ("event_type", "payment_status", "reported"),
    [
        ("checkout.session.completed", "unpaid", base.PENDING),
        ("checkout.session.async_payment_succeeded", "paid", base.SUCCEEDED),
        ("checkout.session.async_payment_failed", "unpaid", base.FAILED),
        ("checkout.session.expired", "unpaid", base.CANCELLED),
    ],
)
def test_checkout_session_event_mapping(provider, event_type, payment_status, reported):
    event = recorded("stripe_event_checkout_session_completed")
    event["type"] = event_type
    event["data"]["object"]["payment_status"] = payment_status
    body = json.dumps(event).encode()

    assert provider.handle_webhook(body=body, headers=signed_headers(body)).status == reported


def test_fully_refunded_charge_reports_refunded_by_payment_intent(provider):
    body = event_body("stripe_event_charge_refunded")

    report = provider.handle_webhook(body=body, headers=signed_headers(body))

    assert report.status == base.REFUNDED
    assert report.provider_transaction_id == INTENT_ID
    assert report.amount == Money("10.99", "USD")
    assert report.event_id == "evt_3MtwBwLkdIwHu7ix0Lq1jVtT"


def test_partially_refunded_charge_is_ignored(provider):
    body = event_body("stripe_event_charge_refunded", amount_refunded=500, refunded=False)

    assert provider.handle_webhook(body=body, headers=signed_headers(body)) is None


def test_dispute_takes_the_money_back(provider):
    body = event_body("stripe_event_charge_dispute_created")

    report = provider.handle_webhook(body=body, headers=signed_headers(body))

    assert report.status == base.REFUNDED
    assert report.provider_transaction_id == INTENT_ID
    assert report.detail["reason"] == "fraudulent"


def test_dispute_without_payment_intent_asks_the_charge(provider, stripe_api):
    charge = recorded("stripe_event_charge_refunded")["data"]["object"]
    stripe_api.get(f"/v1/charges/{charge['id']}").respond(200, json=charge)
    body = event_body("stripe_event_charge_dispute_created", payment_intent=None)

    report = provider.handle_webhook(body=body, headers=signed_headers(body))

    assert report.provider_transaction_id == INTENT_ID


def test_event_types_we_do_not_use_are_ignored(provider):
    body = event_body("stripe_event_customer_created")

    assert provider.handle_webhook(body=body, headers=signed_headers(body)) is None


def test_any_matching_signature_is_accepted_while_secrets_roll(provider):
    body = event_body("stripe_event_checkout_session_completed")
    good = signed_headers(body)["stripe-signature"]
    old = signed_headers(body, secret="whsec_old")["stripe-signature"].split(",")[1]

    report = provider.handle_webhook(body=body, headers={"stripe-signature": f"{good},{old}"})

    assert report.status == base.SUCCEEDED


def test_tampered_webhook_body_is_forged(provider):
    body = event_body("stripe_event_checkout_session_completed")
    headers = signed_headers(body)
    tampered = body.replace(b'"amount_total": 1099', b'"amount_total": 999999')

    with pytest.raises(base.ForgedCallback):
        provider.handle_webhook(body=tampered, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"stripe-signature": "garbage"},
        {"stripe-signature": f"t={NOW}"},
        {"stripe-signature": f"t={NOW},v0=abc"},
    ],
)
def test_webhook_without_a_usable_signature_is_forged(provider, headers):
    with pytest.raises(base.ForgedCallback):
        provider.handle_webhook(
            body=event_body("stripe_event_checkout_session_completed"), headers=headers
        )


def test_webhook_signed_with_another_secret_is_forged(provider):
    body = event_body("stripe_event_checkout_session_completed")

    with pytest.raises(base.ForgedCallback):
        provider.handle_webhook(body=body, headers=signed_headers(body, secret="whsec_attacker"))


@pytest.mark.parametrize("age", [StripeProvider.webhook_tolerance_seconds + 1, -400])
def test_webhook_signed_too_long_ago_or_in_the_future_is_forged(provider, age):
    body = event_body("stripe_event_checkout_session_completed")

    with pytest.raises(base.ForgedCallback):
        provider.handle_webhook(body=body, headers=signed_headers(body, timestamp=NOW - age))


def test_webhook_signed_just_within_tolerance_is_accepted(provider):
    body = event_body("stripe_event_checkout_session_completed")
    timestamp = NOW - StripeProvider.webhook_tolerance_seconds

    assert provider.handle_webhook(body=body, headers=signed_headers(body, timestamp=timestamp))


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"id": "evt_1", "type": "charge.refunded"}']
)
def test_signed_but_unreadable_event_is_forged(provider, body):
    with pytest.raises(base.ForgedCallback):
        provider.handle_webhook(body=body, headers=signed_headers(body))


# --- refunds --------------------------------------------------------------------
def test_refund_refunds_the_payment_intent_once(provider, stripe_api):
    route = stripe_api.post("/v1/refunds").respond(200, json=recorded("stripe_refund_succeeded"))

    report = provider.refund(payment=started_payment(provider_transaction_id=INTENT_ID))

    request = route.calls.last.request
    assert form_of(request)["payment_intent"] == INTENT_ID
    assert request.headers["Idempotency-Key"] == f"refund-{PUBLIC_ID}"
    assert report.status == base.REFUNDED
    assert report.amount == Money("10.99", "USD")


def test_refund_still_settling_reports_pending(provider, stripe_api):
    refund = recorded("stripe_refund_succeeded") | {"status": "pending"}
    stripe_api.post("/v1/refunds").respond(200, json=refund)

    report = provider.refund(payment=started_payment(provider_transaction_id=INTENT_ID))

    assert report.status == base.PENDING


def test_refund_without_a_known_intent_reads_it_from_the_session(provider, stripe_api):
    stripe_api.get(f"/v1/checkout/sessions/{SESSION_ID}").respond(
        200, json=recorded("stripe_checkout_session_paid")
    )
    route = stripe_api.post("/v1/refunds").respond(200, json=recorded("stripe_refund_succeeded"))

    provider.refund(payment=started_payment())

    assert form_of(route.calls.last.request)["payment_intent"] == INTENT_ID


def test_refund_of_an_unpaid_checkout_is_refused(provider, stripe_api):
    stripe_api.get(f"/v1/checkout/sessions/{SESSION_ID}").respond(
        200, json=recorded("stripe_checkout_session_created")
    )

    with pytest.raises(base.ProviderRefused) as refused:
        provider.refund(payment=started_payment())

    assert refused.value.code == "not_paid"


def test_refund_of_an_already_refunded_charge_is_refused_with_stripes_code(provider, stripe_api):
    stripe_api.post("/v1/refunds").respond(
        400, json=recorded("stripe_error_charge_already_refunded")
    )

    with pytest.raises(base.ProviderRefused) as refused:
        provider.refund(payment=started_payment(provider_transaction_id=INTENT_ID))

    assert refused.value.code == "charge_already_refunded"
