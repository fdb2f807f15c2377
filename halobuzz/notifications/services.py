"""Writes for in-app notifications."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from halobuzz.notifications.models import Notification


@transaction.atomic
def notify_users(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str,
) -> list[Notification]:
    """Add one notification per recipient; recipients already notified of `dedupe_key`
    are skipped, so callers (retried Celery tasks) may call this twice safely.

    Returns the notifications created by this call.
    """
    recipients = list(recipients)
    already = set(
        Notification.objects.filter(recipient__in=recipients, dedupe_key=dedupe_key).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [
        Notification(
            recipient=recipient,
            kind=kind,
            title=title[:200],
            body=body[:500],
            url=url,
            dedupe_key=dedupe_key,
        )
        for recipient in recipients
        if recipient.pk not in already
    ]
    return Notification.objects.bulk_create(fresh, ignore_conflicts=True)


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
