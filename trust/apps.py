from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "trust"
    verbose_name = _("Trust and safety")

    def ready(self) -> None:
        from halobuzz.users.signals import avatar_changed, register_public_text_check
        from streams.badges import register_badge_provider
        from trust.badges.selectors import chat_badges
        from trust.receivers import scan_new_avatar
        from trust.roles import sync_staff_roles
        from trust.services.public_text import check_public_text

        register_badge_provider(chat_badges)
        register_public_text_check(check_public_text)
        avatar_changed.connect(scan_new_avatar, dispatch_uid="trust.scan_new_avatar")
        # After every app's migrations (and so every permission) exist.
        post_migrate.connect(sync_staff_roles, dispatch_uid="trust.sync_staff_roles")
