"""Verification jobs. `send_phone_code` is queued after a code's row commits; the
others run on Celery beat (schedules in CELERY_BEAT_SCHEDULE, editable in the
console). Each is safe to run twice."""

from celery import shared_task

from trust.verification import services


@shared_task(ignore_result=True)
def send_phone_code(phone_code_id: int) -> None:
    """Make and text the code of this PhoneCode row; a second run sends nothing.
    Only the row's id travels through the broker, never the code."""
    services.deliver_phone_code(phone_code_id=phone_code_id)


@shared_task(ignore_result=True)
def expire_verifications() -> int:
    """Lapse phone codes nobody typed and layers past their renewal date."""
    return services.expire_verifications()


@shared_task(ignore_result=True)
def delete_old_identity_documents() -> int:
    """Delete identity document photos IDENTITY_DOCUMENT_RETENTION_DAYS after the decision."""
    return services.delete_old_identity_documents()
