"""Signal receivers, connected in VerificationConfig.ready."""

from django.db import transaction


def sync_email_layer(sender, *, request=None, **kwargs) -> None:
    """allauth's email_confirmed / email_changed / email_removed: the email layer
    follows the account's verified address."""
    from trust.verification.services import sync_email_verification

    user = kwargs.get("user")
    if user is None and kwargs.get("email_address") is not None:
        user = kwargs["email_address"].user
    if user is not None:
        sync_email_verification(user=user)


def delete_files_of_deleted_documents(sender, instance, **kwargs) -> None:
    """An IdentityDocuments row was deleted (its member was): its photos go too,
    once the deletion has committed."""
    from trust.verification.services import delete_identity_document_files

    names = [getattr(instance, field).name for field in instance.IMAGE_FIELDS]
    transaction.on_commit(lambda: delete_identity_document_files(names=names))
