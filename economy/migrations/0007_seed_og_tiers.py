from django.db import migrations

# tier, name, price in coins, daily bonus, gift discount %, name colour, entrance
TIERS = [
    (1, "Bronze", 500, 10, 0, "#cd7f32", False),
    (2, "Silver", 1500, 30, 2, "#c0c0c0", False),
    (3, "Gold", 5000, 100, 5, "#f5c542", True),
    (4, "Platinum", 15000, 300, 8, "#7fd4ff", True),
    (5, "Diamond", 50000, 1000, 10, "#b388ff", True),
]


def seed(apps, schema_editor):
    OGTier = apps.get_model("economy", "OGTier")
    for tier, name, price, bonus, discount, color, entrance in TIERS:
        OGTier.objects.update_or_create(
            tier=tier,
            defaults={
                "name": name,
                "price_coins": price,
                "duration_days": 30,
                "daily_bonus_coins": bonus,
                "gift_discount_percent": discount,
                "name_color": color,
                "has_entry_effect": entrance,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("economy", "0006_og_membership")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
