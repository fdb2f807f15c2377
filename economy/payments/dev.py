"""A provider that lives inside HaloBuzz, for demos and tests: its "checkout" is a
page with Pay and Decline buttons (economy.views.payments.dev_checkout).

It behaves like a real provider where the rest of the code can tell: the buyer's
choice comes back to the return URL as a signed token (a tampered one is a forged
callback), the same token can arrive as a webhook, and the provider's side of the
story is kept in the cache for `fetch_status`. It moves no real money, so the
registry refuses it when DEBUG is off.
"""

import json
from collections.abc import Mapping

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from moneyed import Money

from economy.payments import base

TOKEN_SALT = "economy.payments.dev"  # noqa: S105 (a signing salt, not a secret)
TOKEN_MAX_AGE_SECONDS = 60 * 60
OUTCOMES = {"pay": base.SUCCEEDED, "decline": base.FAILED, "cancel": base.CANCELLED}
STATE_SECONDS = 24 * 60 * 60


def _state_key(reference: str) -> str:
    return f"payments:dev:{reference}"


class DevProvider(base.PaymentProvider):
    name = "dev"
    label = _("Test payment (development only)")
    currencies = frozenset(settings.CURRENCIES)
    has_webhooks = True

    def start_checkout(self, *, payment, success_url, cancel_url) -> base.CheckoutStart:
        reference = f"dev_{payment.public_id.hex}"
        return base.CheckoutStart(
            provider_reference=reference,
            redirect_url=reverse("economy:dev-checkout", args=[payment.public_id]),
        )

    def decide(self, *, payment, choice: str) -> str:
        """The buyer pressed a button on the dev checkout page; returns the signed
        token the return URL and the webhook carry."""
        status = OUTCOMES[choice]
        cache.set(_state_key(payment.provider_reference), status, STATE_SECONDS)
        return signing.dumps(
            {
                "reference": payment.provider_reference,
                "status": status,
                "amount": str(payment.amount.amount),
                "currency": str(payment.amount.currency),
            },
            salt=TOKEN_SALT,
        )

    def handle_callback(self, *, payment, params: Mapping[str, str]) -> base.ProviderReport:
        report = self._read_token(params.get("dev_token", ""))
        if report.provider_reference != payment.provider_reference:
            raise base.ForgedCallback("the token is for another payment")
        return report

    def handle_webhook(self, *, body: bytes, headers) -> base.ProviderReport | None:
        try:
            token = json.loads(body)["token"]
        except (ValueError, KeyError, TypeError) as error:
            raise base.ForgedCallback("unreadable dev webhook") from error
        report = self._read_token(token)
        return base.ProviderReport(
            status=report.status,
            provider_reference=report.provider_reference,
            amount=report.amount,
            event_id=f"{report.provider_reference}:{report.status}",
        )

    def fetch_status(self, *, payment) -> base.ProviderReport:
        status = cache.get(_state_key(payment.provider_reference), base.PENDING)
        return base.ProviderReport(
            status=status,
            provider_reference=payment.provider_reference,
            amount=payment.amount if status != base.PENDING else None,
        )

    def refund(self, *, payment) -> base.ProviderReport:
        cache.set(_state_key(payment.provider_reference), base.REFUNDED, STATE_SECONDS)
        return base.ProviderReport(
            status=base.REFUNDED, provider_reference=payment.provider_reference
        )

    def _read_token(self, token: str) -> base.ProviderReport:
        try:
            data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
        except signing.BadSignature as error:
            raise base.ForgedCallback("bad dev payment token") from error
        return base.ProviderReport(
            status=data["status"],
            provider_reference=data["reference"],
            amount=Money(data["amount"], data["currency"]),
        )
