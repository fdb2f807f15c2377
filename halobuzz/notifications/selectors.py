"""Reads for in-app notifications."""

from django.db.models import QuerySet

from halobuzz.notifications.models import Notification


def list_notifications(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def count_unread_notifications(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
