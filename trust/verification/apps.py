from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "trust.verification"
    label = "verification"
    verbose_name = _("Verification")

    def ready(self):
        from allauth.account.signals import email_changed, email_confirmed, email_removed
        from django.db.models.signals import post_delete

        from trust.verification import checks  # noqa: F401 (registers the system check)
        from trust.verification.models import IdentityDocuments
        from trust.verification.receivers import (
            delete_files_of_deleted_documents,
            sync_email_layer,
        )
        from trust.verification.sms import check_sms_settings

        check_sms_settings()
        for signal in (email_confirmed, email_changed, email_removed):
            signal.connect(sync_email_layer, dispatch_uid="verification.sync_email_layer")
        post_delete.connect(
            delete_files_of_deleted_documents,
            sender=IdentityDocuments,
            dispatch_uid="verification.identity_documents.files",
        )
