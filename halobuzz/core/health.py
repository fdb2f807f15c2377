"""Readiness of the services the site depends on, for /readyz and operators.

Each check is bounded by REDIS_SOCKET_TIMEOUT_SECONDS-ish timeouts so that a dead
service turns into a quick 503 rather than a hung probe.
"""

import asyncio
import logging
import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_celery_beat.models import PeriodicTask
from kombu import Connection

from halobuzz.core.models import ServiceHeartbeat
from halobuzz.core.services import CELERY_WORKER_HEARTBEAT

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _check_cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _check_channel_layer() -> str:
    layer = get_channel_layer()

    async def round_trip():
        channel = await layer.new_channel("readyz.")
        await layer.send(channel, {"type": "readyz.ping"})
        return await layer.receive(channel)

    async def bounded_round_trip():
        return await asyncio.wait_for(round_trip(), timeout=CHECK_TIMEOUT_SECONDS)

    message = async_to_sync(bounded_round_trip)()
    if message.get("type") != "readyz.ping":
        raise RuntimeError("the channel layer returned another message")
    return type(layer).__name__


def _check_broker() -> str:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        broker.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=CHECK_TIMEOUT_SECONDS
        )
        return broker.transport_cls
    finally:
        broker.release()


READINESS_CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "channel_layer": _check_channel_layer,
    "broker": _check_broker,
}


def get_readiness() -> dict:
    """Run every check; ``ready`` is true only when all of them pass."""
    results = {}
    for name, check in READINESS_CHECKS.items():
        started = time.monotonic()
        try:
            backend = check()
        except Exception as error:  # any failure means "not ready"; say why
            logger.warning("readiness check failed", extra={"check": name, "error": str(error)})
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        else:
            results[name] = {"ok": True, "backend": str(backend)}
        results[name]["milliseconds"] = round((time.monotonic() - started) * 1000, 1)
    return {
        "ready": all(result["ok"] for result in results.values()),
        "checks": results,
        "background_jobs": _get_background_jobs_state(),
    }


def _get_background_jobs_state() -> dict:
    """When beat last sent a job and a worker last ran the heartbeat job.

    Informational: never fails readiness (the web can serve while workers restart).
    """
    try:
        beat_sent_at = (
            PeriodicTask.objects.exclude(last_run_at=None)
            .order_by("-last_run_at")
            .values_list("last_run_at", flat=True)
            .first()
        )
        worker_seen_at = (
            ServiceHeartbeat.objects.filter(name=CELERY_WORKER_HEARTBEAT)
            .values_list("seen_at", flat=True)
            .first()
        )
    except Exception:  # the database check above already reports the cause
        beat_sent_at = worker_seen_at = None
    return {
        "beat_last_sent_at": beat_sent_at.isoformat() if beat_sent_at else None,
        "worker_last_seen_at": worker_seen_at.isoformat() if worker_seen_at else None,
    }
