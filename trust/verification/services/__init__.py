"""Writes for verification layers: plain functions, one module per layer plus the
staff review and housekeeping. Each module's functions are re-exported here, so
callers write `services.start_phone_verification(...)`.

Rules every flow keeps: at most one pending and one verified row per member and layer
(database constraints); secrets (codes, document images) never enter `evidence`; a
text message or any other network call happens after the transaction commits, in
a Celery task rather than the web request.
"""

from trust.verification.services.email import sync_email_verification
from trust.verification.services.identity import (
    delete_identity_document_files,
    delete_old_identity_documents,
    submit_identity_verification,
)
from trust.verification.services.phone import (
    confirm_phone_verification,
    resend_phone_code,
    start_phone_verification,
)
from trust.verification.services.phone_delivery import deliver_phone_code
from trust.verification.services.review import (
    approve_verification,
    expire_verifications,
    reject_verification,
)

__all__ = [
    "approve_verification",
    "confirm_phone_verification",
    "delete_identity_document_files",
    "delete_old_identity_documents",
    "deliver_phone_code",
    "expire_verifications",
    "reject_verification",
    "resend_phone_code",
    "start_phone_verification",
    "submit_identity_verification",
    "sync_email_verification",
]
