from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from halobuzz.celery import app as celery_app
from halobuzz.core.tasks import clear_expired_sessions, record_worker_heartbeat

pytestmark = pytest.mark.django_db


# The scheduler closes database connections as it starts, as it does in a beat process.
@pytest.mark.django_db(transaction=True)
def test_beat_puts_the_configured_schedule_in_the_database_for_the_admin():
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    scheduler.setup_schedule()

    task = PeriodicTask.objects.get(name="clear-expired-sessions")
    assert task.task == "halobuzz.core.tasks.clear_expired_sessions"
    assert task.enabled
    assert task.interval.every == 6 * 60 * 60


def test_clearing_sessions_removes_only_expired_ones():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="new", session_data="", expire_date=now + timedelta(days=1))

    clear_expired_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


def test_the_heartbeat_job_runs_every_minute_and_readyz_reports_it(client):
    assert settings.CELERY_BEAT_SCHEDULE["record-worker-heartbeat"]["schedule"] == 60
    assert client.get(reverse("readyz")).json()["background_jobs"]["worker_last_seen_at"] is None

    record_worker_heartbeat.delay()

    background_jobs = client.get(reverse("readyz")).json()["background_jobs"]
    seen_at = datetime.fromisoformat(background_jobs["worker_last_seen_at"])
    assert timezone.now() - seen_at < timedelta(minutes=1)
