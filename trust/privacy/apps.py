from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "trust.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from trust.privacy.signals import carry_consent_choice_on_sign_in

        user_logged_in.connect(
            carry_consent_choice_on_sign_in, dispatch_uid="privacy.carry_consent_choice"
        )
