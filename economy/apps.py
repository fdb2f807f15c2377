from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "economy"
    verbose_name = _("Coin economy")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from economy.models import Gift
        from economy.payments.registry import check_payment_settings
        from economy.selectors.gift_sending import forget_catalog
        from economy.selectors.memberships import (
            is_subscriber,
            og_badges,
            og_entrance,
            subscriber_badges,
        )
        from streams.badges import register_badge_provider
        from streams.entrances import register_entrance_provider
        from streams.subscribers import register_subscriber_check

        check_payment_settings()
        post_save.connect(forget_catalog, sender=Gift, dispatch_uid="economy.gift_sending")
        post_delete.connect(forget_catalog, sender=Gift, dispatch_uid="economy.gift_sending")
        register_badge_provider(og_badges)
        register_badge_provider(subscriber_badges)
        register_subscriber_check(is_subscriber)
        register_entrance_provider(og_entrance)
