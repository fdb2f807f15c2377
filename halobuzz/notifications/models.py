from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An entry in a user's in-app notification list ("aasha_sings is live")."""

    class Kind(models.TextChoices):
        STREAM_LIVE = "stream_live", _("A stream went live")
        STREAM_REMINDER = "stream_reminder", _("A stream you asked to be reminded of is live")
        MEMBERSHIP = "membership", _("Your membership")
        VERIFICATION = "verification", _("Your verification")
        MODERATION = "moderation", _("A moderation decision")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # Makes sending idempotent: a retried task cannot notify someone twice of one event.
    dedupe_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notifications_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title
