from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "trust.audit"
    label = "audit"
    verbose_name = _("Security log")

    def ready(self):
        from trust.audit import signals

        signals.connect_receivers()
