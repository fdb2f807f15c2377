from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "halobuzz.core"
    label = "core"
    verbose_name = "HaloBuzz core"

    def ready(self):
        from halobuzz.core.sites import sync_site_with_settings

        post_migrate.connect(sync_site_with_settings, sender=self)
