from decimal import Decimal

from django.db import migrations

# A month at each level with money, in USD, EUR, GBP, BRL, INR, NPR: about €3.99,
# €9.99 and €24.99 (LusoTown plan). Operators change these in the admin.
PRICES = {
    1: ("4.49", "3.99", "3.49", "19.90", "349", "549"),
    2: ("10.99", "9.99", "8.99", "49.90", "899", "1399"),
    3: ("26.99", "24.99", "21.99", "129.90", "2199", "3499"),
}
CURRENCIES = ("USD", "EUR", "GBP", "BRL", "INR", "NPR")


def seed(apps, schema_editor):
    SubscriptionPrice = apps.get_model("economy", "SubscriptionPrice")
    if SubscriptionPrice.objects.exists():
        return
    for level, prices in PRICES.items():
        for currency, amount in zip(CURRENCIES, prices, strict=True):
            SubscriptionPrice.objects.create(
                level=level, price=Decimal(amount), price_currency=currency
            )


class Migration(migrations.Migration):
    dependencies = [("economy", "0009_subscription_payments")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
