import json
import uuid

import httpx
import pytest
import respx
from moneyed import Money

from economy.payments import base
from economy.payments.khalti import KhaltiProvider
from halobuzz.users.models import User
from tests.economy.payments.support import recorded, unsaved_payment

HOST = "https://dev.khalti.test"
API_BASE = f"{HOST}/api/v2"
PUBLIC_ID = uuid.UUID("7c9e6679-7425-40de-944b-e07fc1f90ae7")
PIDX = "HT6o6PEZRWFJ5ygavzHWd5"
TRANSACTION_ID = "GFq9PFS7b2iYvL8Lir9oXe"


@pytest.fixture
def provider():
    return KhaltiProvider(
        {"secret_key": "live_secret_key_test", "api_base": API_BASE, "website_url": ""}
    )


@pytest.fixture
def khalti_api():
    with respx.mock(base_url=HOST, assert_all_called=False) as router:
        yield router


def payment(**fields):
    fields.setdefault("public_id", PUBLIC_ID)
    return unsaved_payment(amount=Money("100.00", "NPR"), **fields)


def started_payment(**fields):
    return payment(provider_reference=PIDX, **fields)


def return_params(**changes) -> dict:
    """What Khalti appends to return_url after a payment (docs' sample callback)."""
    params = {
        "pidx": PIDX,
        "txnId": TRANSACTION_ID,
        "amount": "10000",
        "total_amount": "10000",
        "status": "Completed",
        "mobile": "98XXXXX904",
        "tidx": TRANSACTION_ID,
        "purchase_order_id": str(PUBLIC_ID),
        "purchase_order_name": "HaloBuzz coins: 1100",
        "transaction_id": TRANSACTION_ID,
    }
    return params | changes


# --- checkout -------------------------------------------------------------------
def test_checkout_initiates_a_payment_in_paisa(provider, khalti_api):
    route = khalti_api.post("/api/v2/epayment/initiate/").respond(
        200, json=recorded("khalti_initiate_created")
    )
    buyer = User(username="asha", email="asha@example.com", display_name="Asha Gurung")

    start = provider.start_checkout(
        payment=payment(user=buyer),
        success_url="https://halobuzz.example/payments/khalti/return/",
        cancel_url="https://halobuzz.example/wallet/",
    )

    request = route.calls.last.request
    assert request.headers["Authorization"] == "Key live_secret_key_test"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "return_url": "https://halobuzz.example/payments/khalti/return/",
        "website_url": "https://halobuzz.example",
        "amount": 10000,
        "purchase_order_id": str(PUBLIC_ID),
        "purchase_order_name": "HaloBuzz coins: 1100",
        "customer_info": {"name": "Asha Gurung", "email": "asha@example.com"},
    }
    assert start == base.CheckoutStart(
        provider_reference="bZQLD9wRVWo4CdESSfuSsB",
        redirect_url="https://test-pay.khalti.com/?pidx=bZQLD9wRVWo4CdESSfuSsB",
    )


def test_checkout_uses_the_configured_website_url_and_leaves_out_an_unknown_buyer(khalti_api):
    provider = KhaltiProvider(
        {"secret_key": "k", "api_base": API_BASE, "website_url": "https://halobuzz.example"}
    )
    route = khalti_api.post("/api/v2/epayment/initiate/").respond(
        200, json=recorded("khalti_initiate_created")
    )

    provider.start_checkout(
        payment=payment(), success_url="https://cdn.example/r/", cancel_url="https://cdn.example/"
    )

    sent = json.loads(route.calls.last.request.content)
    assert sent["website_url"] == "https://halobuzz.example"
    assert "customer_info" not in sent


def test_khalti_rejecting_the_amount_is_refused_with_its_reason(provider, khalti_api):
    khalti_api.post("/api/v2/epayment/initiate/").respond(
        400, json=recorded("khalti_initiate_amount_too_small")
    )

    with pytest.raises(base.ProviderRefused) as refused:
        provider.start_checkout(
            payment=payment(), success_url="https://h.example/r/", cancel_url="https://h.example/"
        )

    assert refused.value.code == "validation_error"
    assert "1000 paisa" in str(refused.value)


def test_a_wrong_key_is_refused(provider, khalti_api):
    khalti_api.post("/api/v2/epayment/initiate/").respond(
        401, json=recorded("khalti_error_invalid_token")
    )

    with pytest.raises(base.ProviderRefused) as refused:
        provider.start_checkout(
            payment=payment(), success_url="https://h.example/r/", cancel_url="https://h.example/"
        )

    assert "Invalid token" in str(refused.value)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(502, text="Bad Gateway"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
)
def test_khalti_down_or_slow_is_unavailable(provider, khalti_api, failure):
    khalti_api.post("/api/v2/epayment/initiate/").mock(side_effect=[failure])

    with pytest.raises(base.ProviderUnavailable):
        provider.start_checkout(
            payment=payment(), success_url="https://h.example/r/", cancel_url="https://h.example/"
        )


# --- browser return -------------------------------------------------------------
def test_return_looks_the_payment_up_and_reports_succeeded(provider, khalti_api):
    route = khalti_api.post("/api/v2/epayment/lookup/").respond(
        200, json=recorded("khalti_lookup_completed")
    )

    report = provider.handle_callback(payment=started_payment(), params=return_params())

    assert json.loads(route.calls.last.request.content) == {"pidx": PIDX}
    assert report.status == base.SUCCEEDED
    assert report.amount == Money("100.00", "NPR")
    assert report.provider_reference == PIDX
    assert report.provider_transaction_id == TRANSACTION_ID


def test_a_completed_return_is_only_a_hint_when_lookup_says_pending(provider, khalti_api):
    khalti_api.post("/api/v2/epayment/lookup/").respond(200, json=recorded("khalti_lookup_pending"))

    report = provider.handle_callback(payment=started_payment(), params=return_params())

    assert report.status == base.PENDING
    assert report.amount is None


@pytest.mark.parametrize(
    "params",
    [
        return_params(pidx="bZQLD9wRVWo4CdESSfuSsB"),
        return_params(purchase_order_id=str(uuid.uuid4())),
        {key: value for key, value in return_params().items() if key != "purchase_order_id"},
        {},
    ],
    ids=["another pidx", "another order", "no order", "nothing"],
)
def test_return_for_another_payment_is_forged(provider, khalti_api, params):
    with pytest.raises(base.ForgedCallback):
        provider.handle_callback(payment=started_payment(), params=params)

    assert not khalti_api.calls


# --- lookup ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answer", "http_status", "reported"),
    [
        ("khalti_lookup_completed", 200, base.SUCCEEDED),
        ("khalti_lookup_pending", 200, base.PENDING),
        ("khalti_lookup_initiated", 200, base.PENDING),
        ("khalti_lookup_expired", 400, base.CANCELLED),
        ("khalti_lookup_user_canceled", 400, base.CANCELLED),
        ("khalti_lookup_failed", 200, base.FAILED),
        ("khalti_lookup_refunded", 200, base.REFUNDED),
        ("khalti_lookup_partially_refunded", 200, base.SUCCEEDED),
    ],
)
def test_lookup_status_mapping(provider, khalti_api, answer, http_status, reported):
    khalti_api.post("/api/v2/epayment/lookup/").respond(http_status, json=recorded(answer))

    assert provider.fetch_status(payment=started_payment()).status == reported


def test_partial_refund_keeps_the_coins_and_says_so(provider, khalti_api):
    khalti_api.post("/api/v2/epayment/lookup/").respond(
        200, json=recorded("khalti_lookup_partially_refunded")
    )

    assert provider.fetch_status(payment=started_payment()).detail["partial_refund"] is True


def test_an_unknown_status_is_held_as_pending(provider, khalti_api):
    answer = recorded("khalti_lookup_pending") | {"status": "Under Review"}
    khalti_api.post("/api/v2/epayment/lookup/").respond(200, json=answer)

    assert provider.fetch_status(payment=started_payment()).status == base.PENDING


def test_lookup_of_an_unknown_pidx_is_refused(provider, khalti_api):
    khalti_api.post("/api/v2/epayment/lookup/").respond(
        404, json={"detail": "Not found.", "error_key": "validation_error"}
    )

    with pytest.raises(base.ProviderRefused):
        provider.fetch_status(payment=started_payment())


def test_lookup_failing_is_unavailable(provider, khalti_api):
    khalti_api.post("/api/v2/epayment/lookup/").respond(500, text="Internal Server Error")

    with pytest.raises(base.ProviderUnavailable):
        provider.fetch_status(payment=started_payment())


# --- refunds --------------------------------------------------------------------
def test_refund_asks_khalti_to_refund_the_whole_transaction(provider, khalti_api):
    route = khalti_api.post(f"/api/merchant-transaction/{TRANSACTION_ID}/refund/").respond(
        200, json=recorded("khalti_refund_succeeded")
    )

    report = provider.refund(payment=started_payment(provider_transaction_id=TRANSACTION_ID))

    request = route.calls.last.request
    assert request.headers["Authorization"] == "Key live_secret_key_test"
    assert json.loads(request.content) == {}
    assert report.status == base.REFUNDED
    assert report.provider_transaction_id == TRANSACTION_ID
    assert report.amount == Money("100.00", "NPR")


def test_refund_without_a_known_transaction_looks_it_up_first(provider, khalti_api):
    khalti_api.post("/api/v2/epayment/lookup/").respond(
        200, json=recorded("khalti_lookup_completed")
    )
    route = khalti_api.post(f"/api/merchant-transaction/{TRANSACTION_ID}/refund/").respond(
        200, json=recorded("khalti_refund_succeeded")
    )

    provider.refund(payment=started_payment())

    assert route.called


def test_refund_khalti_refuses_tells_staff_what_to_do(provider, khalti_api):
    khalti_api.post(f"/api/merchant-transaction/{TRANSACTION_ID}/refund/").respond(
        400, json={"mobile": ["This field is required."], "error_key": "validation_error"}
    )

    with pytest.raises(base.ProviderRefused) as refused:
        provider.refund(payment=started_payment(provider_transaction_id=TRANSACTION_ID))

    assert refused.value.code == "refund_refused"
    assert "merchant dashboard" in str(refused.value)


def test_refund_of_an_unpaid_checkout_is_refused(provider, khalti_api):
    khalti_api.post("/api/v2/epayment/lookup/").respond(400, json=recorded("khalti_lookup_expired"))

    with pytest.raises(base.ProviderRefused) as refused:
        provider.refund(payment=started_payment())

    assert refused.value.code == "not_paid"
