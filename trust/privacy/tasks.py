"""Privacy jobs: building data exports, emailing that a deletion is scheduled,
anonymising accounts whose cool-off ended, deleting expired export files and
re-queuing builds whose worker died. Each takes ids, calls a service and is safe to
rerun."""

import logging
from smtplib import SMTPException

from celery import shared_task

from economy.services.subscription_renewals import RenewalError
from trust.privacy import selectors
from trust.privacy.services import deletion, exports

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def build_data_export(export_id: int) -> None:
    exports.build_data_export(export_id=export_id)


@shared_task(
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=8,
)
def email_deletion_scheduled(deletion_id: int) -> None:
    """After a deletion request commits. A mail server that fails is tried again
    with growing pauses (for about three hours); a request cancelled meanwhile gets
    no email."""
    deletion.email_deletion_scheduled(deletion_id=deletion_id)


@shared_task(ignore_result=True)
def anonymise_account(deletion_id: int) -> None:
    try:
        deletion.anonymise_account(deletion_id=deletion_id)
    except RenewalError as error:
        # Left scheduled: the next run of anonymise_due_accounts tries again.
        logger.warning("privacy: deletion %s waits for a provider: %s", deletion_id, error)


@shared_task(ignore_result=True)
def anonymise_due_accounts() -> int:
    """Hourly (beat): one task per deletion request whose cool-off has ended."""
    due = selectors.list_due_deletion_ids()
    for deletion_id in due:
        anonymise_account.delay(deletion_id)
    return len(due)


@shared_task(ignore_result=True)
def purge_expired_exports() -> int:
    """Hourly (beat): delete export files whose download link has expired and start
    again the builds whose worker died."""
    return exports.purge_expired_exports()
