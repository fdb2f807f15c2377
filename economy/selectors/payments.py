"""Reads for buying coins: packages priced in a currency, the buyer's payments."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from economy.models import CoinPackage, Payment
from economy.payments import registry
from halobuzz.core.exceptions import NotFoundError


@dataclass(frozen=True)
class PackageOffer:
    package: CoinPackage
    price: object  # Money


def list_package_offers(*, currency: str) -> list[PackageOffer]:
    """Packages on sale with a price in `currency`, in catalog order."""
    packages = CoinPackage.objects.filter(is_active=True, prices__price_currency=currency)
    offers = []
    for package in packages.prefetch_related("prices"):
        price = next(p.price for p in package.prices.all() if str(p.price_currency) == currency)
        offers.append(PackageOffer(package=package, price=price))
    return offers


def list_payment_methods(*, currency: str):
    """The enabled providers that charge in `currency`."""
    return registry.providers_for_currency(currency)


def get_buyer_currency(*, user, requested: str = "") -> str:
    """The currency to show prices in: one the buyer asked for, else their own."""
    if requested in settings.CURRENCIES:
        return requested
    preferred = getattr(user, "preferred_currency", "")
    return preferred if preferred in settings.CURRENCIES else "USD"


def get_own_payment(*, user, public_id) -> Payment:
    payment = (
        Payment.objects.select_related("package", "subscription_creator")
        .filter(public_id=public_id, user=user)
        .first()
    )
    if payment is None:
        raise NotFoundError("No such payment.", code="payment_not_found")
    return payment


def list_recent_payments(*, user, limit: int = 5):
    return list(
        Payment.objects.filter(user=user).select_related("package", "subscription_creator")[:limit]
    )


def list_stale_pending_payments(*, older_than_seconds: int, limit: int = 200):
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    return list(
        Payment.objects.filter(status=Payment.Status.PENDING, updated_at__lt=cutoff).order_by(
            "updated_at"
        )[:limit]
    )
