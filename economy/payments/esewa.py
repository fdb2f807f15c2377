"""eSewa ePay v2: the browser posts a signed form to eSewa, eSewa sends it back to
`success_url?data=<base64 JSON>` (signed the same way), and the status API says
where the transaction stands. eSewa sends no webhooks and has no refund API.

Signatures are base64(HMAC-SHA256(secret_key, "name=value,name=value,...")) over
the fields listed in `signed_field_names`, in that order.

Status API answer -> report:

    COMPLETE          succeeded (provider_transaction_id = ref_id)
    PENDING           pending
    AMBIGUOUS         pending   ("payment is at halt state": hold, never credit)
    NOT_FOUND         cancelled (eSewa: "session expired", the buyer never paid)
    CANCELED          cancelled ("canceled/reversed from eSewa side")
    FULL_REFUND       refunded
    PARTIAL_REFUND    succeeded, detail partial_refund=True: the payment keeps
                      its coins and staff settle the difference by hand
    anything else     pending, logged
    {"code": 0, "error_message": ...}   ProviderUnavailable

Amounts are sent as eSewa's own examples write them ("100", "99.5"); eSewa answers
with "1000.0" or 100.0 and we read either, and "1,000.0", with Decimal.
"""

import base64
import binascii
import dataclasses
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import NoReturn

import httpx
from django.utils.translation import gettext_lazy as _
from moneyed import Money

from economy.payments import base

logger = logging.getLogger(__name__)

CURRENCY = "NPR"
REQUEST_SIGNED_FIELDS = "total_amount,transaction_uuid,product_code"
# A browser return must sign at least these, or it could say anything.
RETURN_MUST_SIGN = frozenset({"status", "total_amount", "transaction_uuid", "product_code"})
STATUSES = {
    "COMPLETE": base.SUCCEEDED,
    "PENDING": base.PENDING,
    "AMBIGUOUS": base.PENDING,
    "NOT_FOUND": base.CANCELLED,
    "CANCELED": base.CANCELLED,
    "FULL_REFUND": base.REFUNDED,
    "PARTIAL_REFUND": base.SUCCEEDED,
}


class EsewaProvider(base.PaymentProvider):
    name = "esewa"
    label = _("eSewa")
    currencies = frozenset({CURRENCY})
    has_webhooks = False

    def start_checkout(self, *, payment, success_url, cancel_url) -> base.CheckoutStart:
        if str(payment.amount.currency) != CURRENCY:
            raise base.ProviderRefused("eSewa charges in NPR only.", code="currency_not_supported")
        # eSewa allows letters, digits and hyphens, unique per request.
        reference = f"hb-{payment.public_id.hex}"
        total = format_amount(payment.amount.amount)
        fields = {
            "amount": total,
            "tax_amount": "0",
            "total_amount": total,
            "transaction_uuid": reference,
            "product_code": self.options["product_code"],
            "product_service_charge": "0",
            "product_delivery_charge": "0",
            "success_url": success_url,
            "failure_url": cancel_url,
            "signed_field_names": REQUEST_SIGNED_FIELDS,
        }
        fields["signature"] = self.sign(fields, REQUEST_SIGNED_FIELDS.split(","))
        return base.CheckoutStart(
            provider_reference=reference,
            form_action=self.options["form_base"].rstrip("/") + "/api/epay/main/v2/form",
            form_fields=fields,
        )

    def sign(self, values: Mapping, names: list[str]) -> str:
        message = ",".join(f"{name}={values[name]}" for name in names)
        digest = hmac.new(
            self.options["secret_key"].encode(), message.encode(), hashlib.sha256
        ).digest()
        return base64.b64encode(digest).decode()

    def handle_callback(self, *, payment, params: Mapping[str, str]) -> base.ProviderReport:
        """Verify the signed `data` eSewa returned, then ask the status API anyway:
        a signed return is proof of origin, not of settlement."""
        data = _decode_return(params.get("data", ""))
        names = str(data.get("signed_field_names", "")).split(",")
        if not set(names) >= RETURN_MUST_SIGN or any(name not in data for name in names):
            _reject("signed_field_names does not cover the fields we rely on")
        expected = self.sign(data, names).encode()
        if not hmac.compare_digest(expected, str(data.get("signature", "")).encode()):
            _reject("signature does not match")
        if data["product_code"] != self.options["product_code"]:
            _reject("product_code is not ours")
        if not payment.provider_reference or data["transaction_uuid"] != payment.provider_reference:
            _reject("transaction_uuid is not this payment's")
        report = self.fetch_status(payment=payment)
        return dataclasses.replace(
            report,
            detail={
                **report.detail,
                "return_status": data["status"],
                "transaction_code": str(data.get("transaction_code", "")),
            },
        )

    def fetch_status(self, *, payment) -> base.ProviderReport:
        if not payment.provider_reference:
            raise base.ProviderRefused("No eSewa checkout was opened.", code="no_checkout")
        answer = self._get_status(payment)
        if "error_message" in answer or "status" not in answer:
            raise base.ProviderUnavailable(
                f"eSewa status API: {answer.get('error_message', 'no status in the answer')}"
            )
        esewa_status = str(answer["status"]).upper()
        status = STATUSES.get(esewa_status)
        if status is None:
            logger.warning(
                "esewa status %r for %s is unknown; holding as pending",
                esewa_status,
                payment.provider_reference,
            )
            status = base.PENDING
        detail = {"esewa_status": esewa_status}
        if esewa_status == "PARTIAL_REFUND":
            detail["partial_refund"] = True
        moved_money = status in (base.SUCCEEDED, base.REFUNDED)
        return base.ProviderReport(
            status=status,
            provider_reference=payment.provider_reference,
            provider_transaction_id=str(answer.get("ref_id") or ""),
            amount=_parse_amount(answer.get("total_amount")) if moved_money else None,
            detail=detail,
        )

    def refund(self, *, payment) -> base.ProviderReport:
        raise base.ProviderRefused(
            "eSewa has no refund API for merchants. Refund this payment in the eSewa "
            "merchant portal (https://merchant.esewa.com.np), then mark it refunded here.",
            code="refund_not_supported",
        )

    def _get_status(self, payment) -> dict:
        url = self.options["status_base"].rstrip("/") + "/api/epay/transaction/status/"
        query = {
            "product_code": self.options["product_code"],
            "total_amount": format_amount(payment.amount.amount),
            "transaction_uuid": payment.provider_reference,
        }
        try:
            with base.http_client() as client:
                response = client.get(url, params=query)
        except httpx.HTTPError as error:
            raise base.ProviderUnavailable(f"eSewa unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise base.ProviderUnavailable(f"eSewa answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise base.ProviderRefused(
                f"eSewa status API answered HTTP {response.status_code}",
                code=f"http_{response.status_code}",
            )
        try:
            answer = response.json(parse_float=Decimal)
        except ValueError as error:
            raise base.ProviderUnavailable("eSewa's answer is not JSON") from error
        if not isinstance(answer, dict):
            raise base.ProviderUnavailable("eSewa's answer is not a JSON object")
        return answer


def format_amount(amount: Decimal) -> str:
    """100.00 -> "100", 99.50 -> "99.5": what eSewa's examples send. The same text
    goes into the form field and the signed message."""
    text = format(amount.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _parse_amount(value) -> Money | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as error:
        raise base.ProviderUnavailable(f"eSewa amount {value!r} is not a number") from error
    if not amount.is_finite():
        raise base.ProviderUnavailable(f"eSewa amount {value!r} is not a number")
    return Money(amount, CURRENCY)


def _decode_return(data: str) -> dict:
    """The `data` query parameter: base64 JSON. A `+` that reached us unescaped
    reads as a space, and padding is sometimes dropped; both are repaired. Numbers
    are kept as their text, because the signature was computed over that text."""
    text = data.strip().replace(" ", "+").replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        decoded = json.loads(base64.b64decode(text, validate=True), parse_float=str, parse_int=str)
    except (binascii.Error, ValueError) as error:
        _reject("data is not base64 JSON", error)
    if not isinstance(decoded, dict):
        _reject("data is not a JSON object")
    return decoded


def _reject(reason: str, cause: Exception | None = None) -> NoReturn:
    logger.warning("esewa return rejected: %s", reason)
    raise base.ForgedCallback(f"eSewa return rejected: {reason}") from cause
