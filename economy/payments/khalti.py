"""Khalti web checkout (KPG-2): we initiate a payment server-side and get a `pidx`
and a `payment_url`; Khalti sends the buyer back to `return_url` with query
parameters that are *not* signed, so the lookup API is the only proof. JSON bodies,
`Authorization: Key <secret_key>`, amounts in paisa. No webhooks.

Lookup status -> report (Khalti: "only Completed must be treated as success"):

    Completed            succeeded (provider_transaction_id = transaction_id)
    Pending, Initiated   pending   (Khalti: hold, do not provide the service)
    Expired              cancelled
    User canceled        cancelled
    Failed               failed
    Refunded             refunded
    Partially Refunded   succeeded, detail partial_refund=True: the payment keeps
                         its coins and staff settle the difference by hand
    anything else        pending, logged (Khalti: hold and contact Khalti)

Lookup answers HTTP 400 for Expired and User canceled, with the usual body; that
body is a status, not an error.

Refunds use the merchant refund API, which lives beside /api/v2, not under it:
POST {host}/api/merchant-transaction/{transaction_id}/refund/. An empty body asks
for a full refund of a wallet payment; bank payments also need the payer's mobile
number, which we do not keep, so Khalti refuses those and staff refund them in the
Khalti merchant dashboard.
"""

import dataclasses
import logging
from collections.abc import Mapping
from typing import NoReturn
from urllib.parse import quote, urlsplit

import httpx
from django.utils.translation import gettext_lazy as _

from economy.payments import base

logger = logging.getLogger(__name__)

CURRENCY = "NPR"
# Keyed in lower case: Khalti's docs spell "Partially Refunded" both ways.
STATUSES = {
    "completed": base.SUCCEEDED,
    "pending": base.PENDING,
    "initiated": base.PENDING,
    "expired": base.CANCELLED,
    "user canceled": base.CANCELLED,
    "failed": base.FAILED,
    "refunded": base.REFUNDED,
    "partially refunded": base.SUCCEEDED,
}


class KhaltiProvider(base.PaymentProvider):
    name = "khalti"
    label = _("Khalti")
    currencies = frozenset({CURRENCY})
    has_webhooks = False

    def start_checkout(self, *, payment, success_url, cancel_url) -> base.CheckoutStart:
        """Khalti has one return URL for every outcome; `cancel_url` goes unused
        because the lookup after the return tells a cancel apart."""
        if str(payment.amount.currency) != CURRENCY:
            raise base.ProviderRefused("Khalti charges in NPR only.", code="currency_not_supported")
        body = {
            "return_url": success_url,
            "website_url": self.options.get("website_url") or _site_of(success_url),
            "amount": base.minor_units(payment.amount),
            "purchase_order_id": str(payment.public_id),
            "purchase_order_name": payment.provider_description,
        }
        customer = _customer_info(payment)
        if customer:
            body["customer_info"] = customer
        answer = self._post(self._api_url("/epayment/initiate/"), body)
        if not answer.get("pidx") or not answer.get("payment_url"):
            raise base.ProviderUnavailable("Khalti's answer has no pidx or payment_url")
        return base.CheckoutStart(
            provider_reference=answer["pidx"], redirect_url=answer["payment_url"]
        )

    def handle_callback(self, *, payment, params: Mapping[str, str]) -> base.ProviderReport:
        if not payment.provider_reference or params.get("pidx") != payment.provider_reference:
            _reject("pidx is not this payment's")
        if params.get("purchase_order_id") != str(payment.public_id):
            _reject("purchase_order_id is not this payment's")
        report = self.fetch_status(payment=payment)
        return dataclasses.replace(
            report, detail={**report.detail, "return_status": params.get("status", "")}
        )

    def fetch_status(self, *, payment) -> base.ProviderReport:
        if not payment.provider_reference:
            raise base.ProviderRefused("No Khalti checkout was opened.", code="no_checkout")
        answer = self._post(
            self._api_url("/epayment/lookup/"),
            {"pidx": payment.provider_reference},
            statuses_in_4xx=True,
        )
        if answer.get("pidx", payment.provider_reference) != payment.provider_reference:
            raise base.ProviderUnavailable("Khalti looked up another pidx")
        khalti_status = str(answer.get("status", ""))
        status = STATUSES.get(khalti_status.lower())
        if status is None:
            logger.warning(
                "khalti status %r for %s is unknown; holding as pending",
                khalti_status,
                payment.provider_reference,
            )
            status = base.PENDING
        detail = {"khalti_status": khalti_status}
        if khalti_status.lower() == "partially refunded":
            detail["partial_refund"] = True
        total = answer.get("total_amount")
        moved_money = status in (base.SUCCEEDED, base.REFUNDED)
        return base.ProviderReport(
            status=status,
            provider_reference=payment.provider_reference,
            provider_transaction_id=str(answer.get("transaction_id") or ""),
            amount=(
                base.from_minor_units(total, CURRENCY)
                if moved_money and isinstance(total, int)
                else None
            ),
            detail=detail,
        )

    def refund(self, *, payment) -> base.ProviderReport:
        transaction_id = payment.provider_transaction_id
        if not transaction_id:
            transaction_id = self.fetch_status(payment=payment).provider_transaction_id
        if not transaction_id:
            raise base.ProviderRefused(
                "Khalti holds no payment for this checkout.", code="not_paid"
            )
        try:
            answer = self._post(self._refund_url(transaction_id), {})
        except base.ProviderRefused as refused:
            raise base.ProviderRefused(
                f"Khalti refused the refund ({refused}). Payments made from a bank "
                "account need the payer's mobile number: refund it in the Khalti "
                "merchant dashboard, then mark it refunded here.",
                code="refund_refused",
            ) from refused
        return base.ProviderReport(
            status=base.REFUNDED,
            provider_reference=payment.provider_reference,
            provider_transaction_id=transaction_id,
            amount=payment.amount,
            detail={"khalti_detail": str(answer.get("detail", ""))},
        )

    # --- HTTP -----------------------------------------------------------------
    def _api_url(self, path: str) -> str:
        return self.options["api_base"].rstrip("/") + path

    def _refund_url(self, transaction_id: str) -> str:
        api = self.options["api_base"].rstrip("/")
        root = api.removesuffix("/v2")
        return f"{root}/merchant-transaction/{quote(transaction_id, safe='')}/refund/"

    def _post(self, url: str, body: dict, *, statuses_in_4xx: bool = False) -> dict:
        """POST JSON to Khalti. Raises ProviderUnavailable (network, 5xx, unreadable
        answer) or ProviderRefused (4xx, with Khalti's field errors). With
        `statuses_in_4xx`, a 4xx whose body carries a payment status is an answer."""
        headers = {"Authorization": f"Key {self.options['secret_key']}"}
        try:
            with base.http_client() as client:
                response = client.post(url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise base.ProviderUnavailable(f"Khalti unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise base.ProviderUnavailable(f"Khalti answered HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 400:
            if (
                statuses_in_4xx
                and isinstance(answer, dict)
                and str(answer.get("status", "")).lower() in STATUSES
            ):
                return answer
            raise base.ProviderRefused(
                _error_message(answer, response.status_code),
                code=_error_code(answer, response.status_code),
            )
        if not isinstance(answer, dict):
            raise base.ProviderUnavailable("Khalti's answer is not a JSON object")
        return answer


def _site_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _customer_info(payment) -> dict:
    # An unsaved payment without a buyer (tests, previews) has no `user`.
    user = getattr(payment, "user", None)
    if user is None:
        return {}
    info = {"name": user.display_name or user.username, "email": user.email}
    return {key: value for key, value in info.items() if value}


def _error_message(answer, status_code: int) -> str:
    """Khalti's 4xx bodies are DRF style: {"field": ["problem"], "error_key": ...}
    or {"detail": "..."}."""
    if not isinstance(answer, dict):
        return f"Khalti answered HTTP {status_code}"
    problems = []
    for key, value in answer.items():
        if key in ("error_key", "status_code"):
            continue
        text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        problems.append(text if key == "detail" else f"{key}: {text}")
    return "; ".join(problems) or f"Khalti answered HTTP {status_code}"


def _error_code(answer, status_code: int) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("error_key"), str):
        return answer["error_key"]
    return f"http_{status_code}"


def _reject(reason: str) -> NoReturn:
    logger.warning("khalti return rejected: %s", reason)
    raise base.ForgedCallback(f"Khalti return rejected: {reason}")
