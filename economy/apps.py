from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "economy"
    verbose_name = _("Coin economy")

    def ready(self):
        from economy.payments.registry import check_payment_settings
        from economy.selectors.memberships import og_badges, og_entrance, subscriber_badges
        from streams.badges import register_badge_provider
        from streams.entrances import register_entrance_provider

        check_payment_settings()
        register_badge_provider(og_badges)
        register_badge_provider(subscriber_badges)
        register_entrance_provider(og_entrance)
