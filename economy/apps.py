from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "economy"
    verbose_name = _("Coin economy")

    def ready(self):
        from economy.payments.registry import check_payment_settings

        check_payment_settings()
