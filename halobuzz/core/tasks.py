"""Housekeeping jobs run by Celery beat (schedules are editable in the admin)."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
