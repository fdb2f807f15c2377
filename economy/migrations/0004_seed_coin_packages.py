from decimal import Decimal

from django.db import migrations

# coins, bonus, label, prices: USD, EUR, GBP, BRL, INR, NPR. Operators change these
# in the admin; a new site sells coins from its first start.
PACKAGES = [
    (100, 0, "", ("0.99", "0.99", "0.89", "4.99", "79", "129")),
    (500, 25, "", ("4.99", "4.99", "4.49", "24.90", "399", "649")),
    (1000, 100, "Most popular", ("9.99", "9.99", "8.99", "49.90", "799", "1299")),
    (5000, 750, "Best value", ("49.99", "49.99", "44.99", "249.90", "3999", "6499")),
]
CURRENCIES = ("USD", "EUR", "GBP", "BRL", "INR", "NPR")


def seed(apps, schema_editor):
    CoinPackage = apps.get_model("economy", "CoinPackage")
    CoinPackagePrice = apps.get_model("economy", "CoinPackagePrice")
    if CoinPackage.objects.exists():
        return
    for position, (coins, bonus, label, prices) in enumerate(PACKAGES):
        package = CoinPackage.objects.create(
            coins=coins, bonus_coins=bonus, label=label, position=position * 10
        )
        for currency, amount in zip(CURRENCIES, prices, strict=True):
            CoinPackagePrice.objects.create(
                package=package, price=Decimal(amount), price_currency=currency
            )


class Migration(migrations.Migration):
    dependencies = [("economy", "0003_seed_gifts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
