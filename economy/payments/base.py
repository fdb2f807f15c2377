"""The interface every payment provider implements, and what it reports.

An adapter never touches the database or the ledger. It turns our `Payment` into
the provider's checkout, and the provider's messages (browser returns, webhooks,
status lookups, refunds) into a verified `ProviderReport`; economy.services.payments
decides what the report means for the payment and its coins.

Rules every adapter keeps:
- Nothing unverified becomes a report. A bad signature, an unknown product code or a
  malformed body raises `ForgedCallback`; a provider that cannot be reached or
  answers 5xx raises `ProviderUnavailable` (the caller retries later).
- The provider's own status API is the source of truth where one exists: a browser
  return is only a hint to go and ask.
- Amounts are `Money` in the payment's currency, converted from the provider's unit
  (cents, paisa) exactly, with Decimal.
- HTTP goes through `http_client()` so tests can intercept it (respx) and timeouts
  are the same everywhere.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import httpx
from django.conf import settings
from moneyed import Money

if TYPE_CHECKING:
    from economy.models import Payment


class ProviderError(Exception):
    """Base of the errors adapters raise."""


class ForgedCallback(ProviderError):
    """A callback or webhook that fails verification: nothing may be credited."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or failed; try again later."""


class ProviderRefused(ProviderError):
    """The provider answered, and said no (bad request, refund not possible...).
    `code` is a short stable word for logs and staff; the message is for staff."""

    def __init__(self, message: str, *, code: str = "refused"):
        super().__init__(message)
        self.code = code


# What a report may say of a payment; the names are Payment.Status values.
PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
REFUNDED = "refunded"
REPORTED_STATUSES = frozenset({PENDING, SUCCEEDED, FAILED, CANCELLED, REFUNDED})


@dataclass(frozen=True)
class CheckoutStart:
    """Where to send the buyer. Either `redirect_url` (Stripe, Khalti) or a form the
    browser posts to `form_action` with `form_fields` (eSewa)."""

    provider_reference: str
    redirect_url: str = ""
    form_action: str = ""
    form_fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderReport:
    """A verified statement by the provider about one payment.

    `provider_reference` (checkout id) or `provider_transaction_id` (payment intent,
    Khalti transaction, eSewa ref id) identifies it; at least one is set. `amount`
    is what the provider says was paid (None when it did not say). `event_id` is the
    provider's id for a webhook delivery, used to ignore repeats.
    """

    status: str
    provider_reference: str = ""
    provider_transaction_id: str = ""
    amount: Money | None = None
    event_id: str = ""
    detail: dict = field(default_factory=dict)
    # The provider's recurring charge this payment belongs to (a Stripe
    # subscription), when it belongs to one.
    provider_subscription_id: str = ""
    # True for a charge the provider made by itself on a recurring charge of ours:
    # a new payment, not one we opened a checkout for.
    is_renewal: bool = False

    def __post_init__(self):
        if self.status not in REPORTED_STATUSES:
            raise ValueError(f"unknown reported status {self.status!r}")
        if not (self.provider_reference or self.provider_transaction_id):
            raise ValueError("a report names the payment")
        if self.is_renewal and not self.provider_subscription_id:
            raise ValueError("a renewal names its recurring charge")


@dataclass(frozen=True)
class RenewalEnded:
    """A verified statement that a recurring charge of ours will charge no more (the
    subscriber or staff cancelled it at the provider, or its payments failed)."""

    provider_subscription_id: str
    event_id: str = ""


class PaymentProvider(ABC):
    #: The name stored on payments and used in URLs ("stripe", "esewa"...).
    name: str
    #: What the buyer sees on the button, e.g. "Card (Stripe)".
    label: str
    #: ISO codes this provider can charge in.
    currencies: frozenset[str]
    #: Whether `handle_webhook` means anything for this provider.
    has_webhooks: bool = False
    #: Whether a subscription checkout can ask the provider to charge every month
    #: (`payment.renews_monthly`); it then reports each renewal by webhook.
    renews_monthly: bool = False

    def __init__(self, options: Mapping[str, str]):
        self.options = dict(options)

    @abstractmethod
    def start_checkout(
        self, *, payment: "Payment", success_url: str, cancel_url: str
    ) -> CheckoutStart:
        """Open a checkout for `payment.amount`. `success_url` and `cancel_url` are
        absolute; the provider sends the browser back to them."""

    @abstractmethod
    def handle_callback(self, *, payment: "Payment", params: Mapping[str, str]) -> ProviderReport:
        """The browser came back to `success_url` with the provider's query string
        `params`. Verify, ask the provider, report."""

    def handle_webhook(
        self, *, body: bytes, headers: Mapping[str, str]
    ) -> ProviderReport | RenewalEnded | None:
        """Verify and read a webhook delivery. None for an event type we ignore.
        `headers` keys are lower-case."""
        raise ForgedCallback(f"{self.name} sends no webhooks")

    def stop_monthly_renewal(self, *, provider_subscription_id: str) -> None:
        """Charge no more months after the one paid (providers with renews_monthly)."""
        raise ProviderRefused(f"{self.name} does not renew by itself", code="no_renewals")

    @abstractmethod
    def fetch_status(self, *, payment: "Payment") -> ProviderReport:
        """Ask the provider where the payment stands now."""

    @abstractmethod
    def refund(self, *, payment: "Payment") -> ProviderReport:
        """Refund the whole payment; report `refunded` (or `pending` when the
        provider finishes refunds later and will say so in a webhook)."""


def http_client() -> httpx.Client:
    return httpx.Client(timeout=settings.PAYMENT_HTTP_TIMEOUT_SECONDS)


def minor_units(amount: Money) -> int:
    """Money -> its smallest unit (cents, paisa) for providers that count in them."""
    return int((amount.amount * 100).to_integral_exact())


def from_minor_units(value: int | str, currency: str) -> Money:
    return Money(Decimal(int(value)) / 100, currency)
