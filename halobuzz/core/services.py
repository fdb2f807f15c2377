"""Writes of the core app."""

from django.utils import timezone

from halobuzz.core.models import ServiceHeartbeat

CELERY_WORKER_HEARTBEAT = "celery-worker"


def record_heartbeat(*, name: str) -> ServiceHeartbeat:
    heartbeat, _created = ServiceHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
