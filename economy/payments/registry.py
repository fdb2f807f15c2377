"""Which payment providers this site offers (settings.PAYMENT_PROVIDERS) and their
adapters. The `dev` provider pays with a button and is refused when DEBUG is off."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from economy.payments.base import PaymentProvider

ADAPTERS = {
    "dev": "economy.payments.dev.DevProvider",
    "stripe": "economy.payments.stripe.StripeProvider",
    "esewa": "economy.payments.esewa.EsewaProvider",
    "khalti": "economy.payments.khalti.KhaltiProvider",
}


class UnknownProvider(LookupError):
    pass


def check_payment_settings() -> None:
    """Raise ImproperlyConfigured for an unknown provider, or for `dev` on a site
    with DEBUG off (test settings opt in with PAYMENTS_DEV_PROVIDER_WITHOUT_DEBUG)."""
    for name in settings.PAYMENT_PROVIDERS:
        if name not in ADAPTERS:
            raise ImproperlyConfigured(
                f"PAYMENT_PROVIDERS names {name!r}; known providers: {', '.join(ADAPTERS)}."
            )
    if (
        "dev" in settings.PAYMENT_PROVIDERS
        and not settings.DEBUG
        and not settings.PAYMENTS_DEV_PROVIDER_WITHOUT_DEBUG
    ):
        raise ImproperlyConfigured(
            "The dev payment provider hands out coins for free; it runs only with DEBUG on. "
            "Remove it from PAYMENT_PROVIDERS."
        )


def enabled_provider_names() -> list[str]:
    return list(settings.PAYMENT_PROVIDERS)


def get_provider(name: str) -> PaymentProvider:
    if name not in settings.PAYMENT_PROVIDERS:
        raise UnknownProvider(name)
    return _build(name, tuple(sorted(settings.PAYMENT_PROVIDERS[name].items())))


@cache
def _build(name: str, options: tuple) -> PaymentProvider:
    return import_string(ADAPTERS[name])(dict(options))


def providers_for_currency(currency: str) -> list[PaymentProvider]:
    """The enabled providers that can charge in `currency`, in settings order."""
    return [
        provider
        for provider in (get_provider(name) for name in settings.PAYMENT_PROVIDERS)
        if currency in provider.currencies
    ]
