"""The seeded gift catalog, coin packages and subscription prices (data migrations
0003, 0004 and 0010), put back for tests whose database was flushed (transactional
and browser tests)."""

import importlib

from django.apps import apps

from economy.models import CoinPackage, Gift, SubscriptionPrice


def ensure_catalog() -> None:
    if not Gift.objects.exists():
        importlib.import_module("economy.migrations.0003_seed_gifts").seed(apps, None)
    if not CoinPackage.objects.exists():
        importlib.import_module("economy.migrations.0004_seed_coin_packages").seed(apps, None)
    if not SubscriptionPrice.objects.exists():
        importlib.import_module("economy.migrations.0010_seed_subscription_prices").seed(apps, None)
