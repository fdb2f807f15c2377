from django.db import models


class ServiceHeartbeat(models.Model):
    """When a background service last proved it was alive (e.g. a Celery worker
    running the periodic heartbeat job), for /readyz and operators."""

    name = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
