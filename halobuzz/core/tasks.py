"""Housekeeping jobs run by Celery beat (schedules are editable in the admin)."""

from celery import shared_task
from django.core.management import call_command

from halobuzz.core.services import CELERY_WORKER_HEARTBEAT, record_heartbeat


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task(ignore_result=True)
def record_worker_heartbeat() -> None:
    """Runs every minute: proves beat is sending and a worker is running jobs."""
    record_heartbeat(name=CELERY_WORKER_HEARTBEAT)
