"""Writes of the core app."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone

from halobuzz.core.models import ServiceHeartbeat

CELERY_WORKER_HEARTBEAT = "celery-worker"

User = get_user_model()


def record_heartbeat(*, name: str) -> ServiceHeartbeat:
    heartbeat, _created = ServiceHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat


def alert_staff(*, subject: str, body: str) -> int:
    """Email every active staff member with an address; returns how many. For
    problems a person must look at (a ledger breach), not for routine news."""
    recipients = list(
        User.objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if recipients:
        send_mail(f"[HaloBuzz] {subject}", body, None, recipients)
    return len(recipients)
