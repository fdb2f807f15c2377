"""The identity layer: a creator sends photos of an official document and a selfie;
staff compare them in the console and approve or reject (services.review).

The photos are re-encoded (trust.verification.images) and stored in the private
storage, never under MEDIA_URL. They are deleted IDENTITY_DOCUMENT_RETENTION_DAYS
after the decision by `delete_old_identity_documents` (a daily Celery job); deleting
a member deletes theirs at once (trust.verification.receivers).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from halobuzz.core import ratelimit
from trust.verification.exceptions import (
    AlreadyVerified,
    InvalidDocument,
    TooManySubmissions,
    VerificationError,
)
from trust.verification.images import clean_document_image
from trust.verification.models import IdentityDocuments, Verification
from trust.verification.services.common import require_layer_for
from trust.verification.storage import private_storage

logger = logging.getLogger(__name__)

IDENTITY = Verification.Kind.IDENTITY
DocumentType = IdentityDocuments.DocumentType


def _image_labels() -> dict[str, str]:
    return {
        "front": _("The front of your document"),
        "back": _("The back of your document"),
        "selfie": _("Your selfie"),
    }


def _missing_image_messages() -> dict[str, str]:
    return {
        "front": _("Add a photo of the front of your document."),
        "back": _("Add a photo of the back of your document."),
        "selfie": _("Add a selfie."),
    }


def _clean_images(*, document_type: str, front, back, selfie) -> dict:
    """Validate and re-encode each photo. InvalidDocument's `extra["field"]` names the
    form field at fault."""
    labels = _image_labels()
    uploads = {"front": front, "back": back, "selfie": selfie}
    cleaned = {}
    for field in IdentityDocuments.IMAGE_FIELDS:
        if field == "back" and not IdentityDocuments.needs_back(document_type):
            continue
        if uploads[field] is None:
            raise InvalidDocument(_missing_image_messages()[field], extra={"field": field})
        try:
            cleaned[field] = clean_document_image(uploads[field], label=labels[field])
        except InvalidDocument as error:
            error.extra = {"field": field}
            raise
    return cleaned


def _already_pending() -> VerificationError:
    return VerificationError(
        _("We are still checking the documents you sent. You will hear from us soon."),
        code="already_pending",
    )


def submit_identity_verification(*, user, document_type: str, front, back, selfie) -> Verification:
    """Send documents for review. `back` may be None for a passport.

    Every attempt that gets as far as its photos counts against
    IDENTITY_SUBMISSIONS_PER_DAY, refused photos included, and the count is taken
    before any photo is decoded. Raises NotAllowed (not a creator), AlreadyVerified,
    VerificationError (``already_pending``: staff have not decided on the last one
    yet, or it arrived a moment ago from another tab), TooManySubmissions, or
    InvalidDocument (`extra["field"]`: which photo).
    """
    require_layer_for(user=user, kind=IDENTITY)
    if document_type not in DocumentType.values:
        raise InvalidDocument(
            _("Choose the kind of document you are sending."), extra={"field": "document_type"}
        )
    current = set(
        Verification.objects.filter(
            user=user,
            kind=IDENTITY,
            status__in=[Verification.Status.PENDING, Verification.Status.VERIFIED],
        ).values_list("status", flat=True)
    )
    if Verification.Status.VERIFIED in current:
        raise AlreadyVerified(_("Your identity is already verified."))
    if Verification.Status.PENDING in current:
        raise _already_pending()
    per_day = settings.IDENTITY_SUBMISSIONS_PER_DAY
    if ratelimit.consume(
        key=f"verification:identity:{user.pk}", per_second=per_day / 86400, burst=per_day
    ):
        raise TooManySubmissions()
    cleaned = _clean_images(document_type=document_type, front=front, back=back, selfie=selfie)

    documents = IdentityDocuments(document_type=document_type)
    saved_names = []
    try:
        for field, content in cleaned.items():
            getattr(documents, field).save(content.name, content, save=False)
            saved_names.append(getattr(documents, field).name)
        with transaction.atomic():
            verification = Verification.objects.create(
                user=user, kind=IDENTITY, evidence={"document_type": document_type}
            )
            documents.verification = verification
            documents.save()
    except IntegrityError as error:
        # Two submissions at once (a double click, two tabs): the other one is the
        # pending row now (verification_one_pending_per_layer).
        delete_identity_document_files(names=saved_names)
        raise _already_pending() from error
    except BaseException:
        # Nothing refers to the files written so far: do not leave them behind.
        delete_identity_document_files(names=saved_names)
        raise
    return verification


def delete_identity_document_files(*, names) -> None:
    """Delete these files from the private storage; missing ones are fine."""
    storage = private_storage()
    for name in names:
        if name:
            storage.delete(name)


def delete_old_identity_documents(*, now=None) -> int:
    """Delete the photos of identity verifications decided more than
    IDENTITY_DOCUMENT_RETENTION_DAYS ago. Safe to run twice. Returns how many
    submissions lost their photos."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IDENTITY_DOCUMENT_RETENTION_DAYS)
    due = IdentityDocuments.objects.filter(
        deleted_at__isnull=True,
        verification__decided_at__isnull=False,
        verification__decided_at__lte=cutoff,
    ).order_by("pk")
    deleted = 0
    for documents in due.iterator():
        names = [getattr(documents, field).name for field in IdentityDocuments.IMAGE_FIELDS]
        # The files first: after a crash between the two, the row still names them and
        # the next run deletes them (again) and marks the row.
        delete_identity_document_files(names=names)
        IdentityDocuments.objects.filter(pk=documents.pk).update(
            front="", back="", selfie="", deleted_at=now
        )
        deleted += 1
    if deleted:
        logger.info("Deleted the photos of %d identity verifications", deleted)
    return deleted
