"""Stripe Checkout over plain HTTPS (form-encoded, no SDK), so every provider goes
through the same `http_client()` and tests intercept all of them with respx.

What we read from a Checkout Session (GET /v1/checkout/sessions/{id}, the source
of truth for browser returns and status checks):

    status    payment_status                 report
    complete  paid / no_payment_required     succeeded
    complete  unpaid                         pending   (Pix, MB WAY settle later)
    open      -                              pending
    expired   -                              cancelled

Webhooks (signed with the endpoint secret, see `_verify_signature`):

    checkout.session.completed                 as the table above
    checkout.session.async_payment_succeeded   succeeded
    checkout.session.async_payment_failed      failed
    checkout.session.expired                   cancelled
    charge.refunded (amount_refunded = amount) refunded; partial refunds are ignored
    charge.dispute.created                     refunded: a chargeback takes the money
    invoice.paid (billing_reason
        subscription_cycle)                    succeeded, a renewal: a new payment
    customer.subscription.deleted              RenewalEnded
    anything else                              None

Subscriptions that renew (`payment.renews_monthly`) open the Checkout Session in
`subscription` mode with a monthly price: Stripe charges the first month through the
session (reported as above, with the session's `subscription`) and every later month
by itself, each reported by an `invoice.paid` whose `billing_reason` is
`subscription_cycle` (the first invoice, `subscription_create`, is the session's and
is ignored). Its subscription id is `invoice.subscription`, or since API version
2025-03-31 `invoice.parent.subscription_details.subscription`. Stopping renewal sets
`cancel_at_period_end`, so the month paid for runs out.

All our Stripe currencies (USD EUR GBP BRL INR) have two decimals, so
`minor_units` / `from_minor_units` convert exactly.
"""

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from urllib.parse import quote

import httpx
from django.utils.translation import gettext_lazy as _

from economy.payments import base

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.stripe.com"
# Extra payment methods next to cards, by currency: Pix is Brazil's instant
# transfer, MB WAY Portugal's wallet. Both confirm asynchronously.
EXTRA_METHODS = {"BRL": ["pix"], "EUR": ["mb_way"]}
SESSION_STATUSES = {"open": base.PENDING, "expired": base.CANCELLED}
PAID = frozenset({"paid", "no_payment_required"})
SESSION_EVENTS = {
    "checkout.session.async_payment_succeeded": base.SUCCEEDED,
    "checkout.session.async_payment_failed": base.FAILED,
    "checkout.session.expired": base.CANCELLED,
}


class StripeProvider(base.PaymentProvider):
    name = "stripe"
    label = _("Card (Stripe)")
    currencies = frozenset({"USD", "EUR", "GBP", "BRL", "INR"})
    has_webhooks = True
    renews_monthly = True

    #: How far a webhook's signed timestamp may be from now (Stripe's own default),
    #: so a captured delivery cannot be replayed later.
    webhook_tolerance_seconds = 300
    #: Seconds since the epoch; tests replace it on the instance.
    clock = staticmethod(time.time)

    # --- checkout -------------------------------------------------------------
    def start_checkout(self, *, payment, success_url, cancel_url) -> base.CheckoutStart:
        currency = str(payment.amount.currency)
        if currency not in self.currencies:
            raise base.ProviderRefused(
                f"Stripe is not set up to charge in {currency}.", code="currency_not_supported"
            )
        public_id = str(payment.public_id)
        separator = "&" if "?" in success_url else "?"
        form = {
            "mode": "payment",
            # Stripe fills in the placeholder, so the return names its session.
            "success_url": f"{success_url}{separator}session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": cancel_url,
            "client_reference_id": public_id,
            "metadata[payment]": public_id,
            # Lets staff find our payment from a charge or dispute in the dashboard.
            "payment_intent_data[metadata][payment]": public_id,
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": currency.lower(),
            "line_items[0][price_data][unit_amount]": str(base.minor_units(payment.amount)),
            "line_items[0][price_data][product_data][name]": payment.provider_description,
        }
        methods = ["card", *EXTRA_METHODS.get(currency, [])]
        if payment.renews_monthly:
            form["mode"] = "subscription"
            del form["payment_intent_data[metadata][payment]"]
            form["subscription_data[metadata][payment]"] = public_id
            form["line_items[0][price_data][recurring][interval]"] = "month"
            # Pix and MB WAY pay once; a card can be charged every month.
            methods = ["card"]
        for index, method in enumerate(methods):
            form[f"payment_method_types[{index}]"] = method
        session = self._request(
            "POST", "/v1/checkout/sessions", form=form, idempotency_key=f"checkout-{public_id}"
        )
        if not session.get("id") or not session.get("url"):
            raise base.ProviderUnavailable("Stripe's new session has no id or url")
        return base.CheckoutStart(provider_reference=session["id"], redirect_url=session["url"])

    def handle_callback(self, *, payment, params: Mapping[str, str]) -> base.ProviderReport:
        session_id = params.get("session_id", "")
        if not session_id or session_id != payment.provider_reference:
            logger.warning("stripe return rejected: session_id does not match the payment")
            raise base.ForgedCallback("the session_id is not this payment's checkout")
        return self.fetch_status(payment=payment)

    def fetch_status(self, *, payment) -> base.ProviderReport:
        if not payment.provider_reference:
            raise base.ProviderRefused("No Stripe checkout was opened.", code="no_checkout")
        session = self._request(
            "GET", f"/v1/checkout/sessions/{quote(payment.provider_reference, safe='')}"
        )
        return _session_report(session, _session_status(session))

    # --- webhooks -------------------------------------------------------------
    def handle_webhook(
        self, *, body: bytes, headers: Mapping[str, str]
    ) -> base.ProviderReport | None:
        self._verify_signature(body, headers.get("stripe-signature", ""))
        try:
            event = json.loads(body)
            event_type, event_id = event["type"], event["id"]
            obj = event["data"]["object"]
            if not isinstance(obj, dict) or not isinstance(event_id, str):
                raise TypeError("data.object or id has the wrong type")
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("stripe webhook rejected: unreadable event body")
            raise base.ForgedCallback("unreadable Stripe event") from error

        if event_type == "checkout.session.completed":
            return _session_report(obj, _paid_or_pending(obj), event_id=event_id)
        if event_type in SESSION_EVENTS:
            return _session_report(obj, SESSION_EVENTS[event_type], event_id=event_id)
        if event_type == "charge.refunded":
            return self._refunded_charge_report(obj, event_id)
        if event_type == "charge.dispute.created":
            return self._dispute_report(obj, event_id)
        if event_type == "invoice.paid":
            return _renewal_report(obj, event_id)
        if event_type == "customer.subscription.deleted" and _object_id(obj.get("id")):
            return base.RenewalEnded(provider_subscription_id=obj["id"], event_id=event_id)
        return None

    def _verify_signature(self, body: bytes, header: str) -> None:
        """Stripe signs `"{t}.{body}"` with HMAC-SHA256 and sends `t=...,v1=...`
        (several v1 while a secret is being rolled). Raises ForgedCallback."""
        timestamp, signatures = None, []
        for item in header.split(","):
            key, _sep, value = item.strip().partition("=")
            if key == "t" and value.isdigit():
                timestamp = int(value)
            elif key == "v1" and value:
                signatures.append(value)
        if timestamp is None or not signatures:
            logger.warning("stripe webhook rejected: missing or malformed stripe-signature")
            raise base.ForgedCallback("missing or malformed Stripe-Signature header")
        signed = f"{timestamp}.".encode() + body
        secret = self.options["webhook_secret"].encode()
        expected = hmac.new(secret, signed, hashlib.sha256).hexdigest().encode()
        if not any(hmac.compare_digest(expected, sig.encode()) for sig in signatures):
            logger.warning("stripe webhook rejected: no signature matches the body")
            raise base.ForgedCallback("Stripe signature does not match")
        if abs(self.clock() - timestamp) > self.webhook_tolerance_seconds:
            logger.warning("stripe webhook rejected: timestamp %s outside tolerance", timestamp)
            raise base.ForgedCallback("Stripe signature timestamp outside the tolerance")

    def _refunded_charge_report(self, charge: dict, event_id: str) -> base.ProviderReport | None:
        amount, refunded = charge.get("amount"), charge.get("amount_refunded")
        intent = _object_id(charge.get("payment_intent"))
        if not isinstance(amount, int) or not isinstance(refunded, int) or refunded < amount:
            # Only a full refund takes the coins back; staff handle partial ones.
            logger.info("stripe charge.refunded %s ignored: partial refund", event_id)
            return None
        if not intent:
            logger.warning(
                "stripe charge.refunded %s ignored: charge has no payment intent", event_id
            )
            return None
        return base.ProviderReport(
            status=base.REFUNDED,
            provider_transaction_id=intent,
            amount=_money(refunded, charge.get("currency")),
            event_id=event_id,
            detail={"charge": charge.get("id", "")},
        )

    def _dispute_report(self, dispute: dict, event_id: str) -> base.ProviderReport:
        intent = _object_id(dispute.get("payment_intent"))
        if not intent and dispute.get("charge"):
            # Older API versions leave payment_intent off disputes: ask the charge.
            charge_id = quote(_object_id(dispute["charge"]), safe="")
            intent = _object_id(
                self._request("GET", f"/v1/charges/{charge_id}").get("payment_intent")
            )
        if not intent:
            raise base.ProviderUnavailable("cannot tell which payment intent is disputed")
        return base.ProviderReport(
            status=base.REFUNDED,
            provider_transaction_id=intent,
            amount=_money(dispute.get("amount"), dispute.get("currency")),
            event_id=event_id,
            detail={"dispute": dispute.get("id", ""), "reason": dispute.get("reason", "")},
        )

    # --- renewals -------------------------------------------------------------
    def stop_monthly_renewal(self, *, provider_subscription_id: str) -> None:
        self._request(
            "POST",
            f"/v1/subscriptions/{quote(provider_subscription_id, safe='')}",
            form={"cancel_at_period_end": "true"},
        )

    # --- refunds --------------------------------------------------------------
    def refund(self, *, payment) -> base.ProviderReport:
        intent = payment.provider_transaction_id
        if not intent:
            intent = self.fetch_status(payment=payment).provider_transaction_id
        if intent.startswith("in_"):
            # A month of a subscription is an invoice; its payment intent is refunded.
            invoice = self._request("GET", f"/v1/invoices/{quote(intent, safe='')}")
            intent = _object_id(invoice.get("payment_intent"))
        if not intent:
            raise base.ProviderRefused(
                "Stripe holds no payment for this checkout.", code="not_paid"
            )
        refund = self._request(
            "POST",
            "/v1/refunds",
            form={"payment_intent": intent, "metadata[payment]": str(payment.public_id)},
            idempotency_key=f"refund-{payment.public_id}",
        )
        refund_status = refund.get("status")
        if refund_status == "succeeded":
            status = base.REFUNDED
        elif refund_status in ("pending", "requires_action"):
            status = base.PENDING  # charge.refunded follows when it settles
        else:
            raise base.ProviderRefused(
                f"Stripe did not refund (refund status {refund_status!r}).", code="refund_failed"
            )
        return base.ProviderReport(
            status=status,
            provider_reference=payment.provider_reference,
            provider_transaction_id=intent,
            amount=_money(refund.get("amount"), refund.get("currency")),
            detail={"refund": refund.get("id", ""), "refund_status": refund_status},
        )

    # --- HTTP -----------------------------------------------------------------
    def _request(self, method: str, path: str, *, form=None, idempotency_key="") -> dict:
        """One Stripe API call. Raises ProviderUnavailable (network, 429, 5xx,
        unreadable answer) or ProviderRefused (other 4xx, with Stripe's message)."""
        headers = {"Authorization": f"Bearer {self.options['secret_key']}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        url = (self.options.get("api_base") or DEFAULT_API_BASE).rstrip("/") + path
        try:
            with base.http_client() as client:
                response = client.request(method, url, data=form, headers=headers)
        except httpx.HTTPError as error:
            raise base.ProviderUnavailable(f"Stripe unreachable: {type(error).__name__}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise base.ProviderUnavailable(f"Stripe answered HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 400:
            error = payload.get("error", {}) if isinstance(payload, dict) else {}
            raise base.ProviderRefused(
                error.get("message") or f"Stripe answered HTTP {response.status_code}",
                code=error.get("code") or error.get("type") or f"http_{response.status_code}",
            )
        if not isinstance(payload, dict):
            raise base.ProviderUnavailable("Stripe's answer is not a JSON object")
        return payload


def _paid_or_pending(session: dict) -> str:
    return base.SUCCEEDED if session.get("payment_status") in PAID else base.PENDING


def _session_status(session: dict) -> str:
    if session.get("status") == "complete":
        return _paid_or_pending(session)
    if session.get("status") not in SESSION_STATUSES:
        logger.warning(
            "stripe session %s has unknown status %r", session.get("id"), session.get("status")
        )
    return SESSION_STATUSES.get(session.get("status"), base.PENDING)


def _session_report(session: dict, status: str, *, event_id: str = "") -> base.ProviderReport:
    if not session.get("id"):
        raise base.ProviderUnavailable("Stripe session without an id")
    paid = status == base.SUCCEEDED
    return base.ProviderReport(
        status=status,
        provider_reference=session["id"],
        # A subscription-mode session has no payment intent of its own: its first
        # invoice holds it (see refund()).
        provider_transaction_id=_object_id(session.get("payment_intent"))
        or _object_id(session.get("invoice")),
        amount=_money(session.get("amount_total"), session.get("currency")) if paid else None,
        event_id=event_id,
        detail={
            "session_status": session.get("status"),
            "payment_status": session.get("payment_status"),
        },
        provider_subscription_id=_object_id(session.get("subscription")),
    )


def _renewal_report(invoice: dict, event_id: str) -> base.ProviderReport | None:
    """A month Stripe charged by itself; None for any other paid invoice."""
    if invoice.get("billing_reason") != "subscription_cycle":
        return None
    parent = invoice.get("parent") if isinstance(invoice.get("parent"), dict) else {}
    details = parent.get("subscription_details") or {}
    subscription = _object_id(invoice.get("subscription")) or _object_id(
        details.get("subscription") if isinstance(details, dict) else None
    )
    if not subscription or not _object_id(invoice.get("id")):
        logger.warning("stripe invoice.paid %s ignored: no subscription or id", event_id)
        return None
    return base.ProviderReport(
        status=base.SUCCEEDED,
        provider_reference=invoice["id"],
        provider_transaction_id=_object_id(invoice.get("payment_intent")) or invoice["id"],
        amount=_money(invoice.get("amount_paid"), invoice.get("currency")),
        event_id=event_id,
        detail={"billing_reason": "subscription_cycle"},
        provider_subscription_id=subscription,
        is_renewal=True,
    )


def _object_id(value) -> str:
    """An expandable field is an id string or the expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _money(minor, currency):
    if not isinstance(minor, int) or not isinstance(currency, str):
        return None
    return base.from_minor_units(minor, currency.upper())
