"""Privacy rights: consent choices, data exports and account deletion requests
(docs/architecture.md, "Privacy").

Consent records are append-only: a member's current consent for a purpose is their
newest record for it. Exports and deletion requests are one row per request, whose
status moves forward only (trust.privacy.services).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    # Necessary cookies (session, CSRF, language, time zone, the consent choice
    # itself) are always on: they are never asked for nor recorded.
    NECESSARY = "necessary", _("Necessary")
    ANALYTICS = "analytics", _("Analytics")
    MARKETING = "marketing", _("Marketing")


# The purposes a member chooses; the banner and the settings page ask for each.
OPTIONAL_PURPOSES = (ConsentPurpose.ANALYTICS, ConsentPurpose.MARKETING)


class ConsentRecord(models.Model):
    """One choice about one purpose: granted or withdrawn, under which version of the
    privacy policy, and where it was made. Never changed once written."""

    class Source(models.TextChoices):
        BANNER = "banner", _("Cookie banner")
        SETTINGS = "settings", _("Privacy settings page")
        # Chosen as a visitor (banner or settings page) and recorded at sign-in.
        SIGN_IN = "sign_in", _("Chosen before signing in")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="consent_records",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    policy_version = models.CharField(_("policy version"), max_length=32)
    source = models.CharField(_("where"), max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=[purpose.value for purpose in OPTIONAL_PURPOSES]),
                name="privacy_consent_for_optional_purpose",
            )
        ]
        indexes = [
            models.Index(fields=["user", "purpose", "-created_at"], name="privacy_consent_latest"),
            models.Index(fields=["user", "policy_version"], name="privacy_consent_version"),
        ]

    def __str__(self) -> str:
        verb = _("granted") if self.granted else _("withdrawn")
        return f"{self.user}: {self.get_purpose_display()} {verb} (v{self.policy_version})"

    def save(self, *args, **kwargs):
        # The history is evidence of what a member agreed to: a change is a new record.
        if not self._state.adding:
            raise ValueError("Consent records are append-only; record a new choice instead.")
        super().save(*args, **kwargs)


class DataExport(models.Model):
    """A member's request for a copy of their data, and the ZIP built for it (kept in
    the private storage, never under MEDIA_URL, until `expires_at`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to start")
        RUNNING = "running", _("being prepared")
        READY = "ready", _("ready to download")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired and deleted")

    IN_PROGRESS = (Status.PENDING, Status.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="data_exports",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # The ZIP's name in the private storage (trust.privacy.storage).
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    failure = models.CharField(_("failure"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["pending", "running"]),
                name="privacy_one_export_in_progress",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="privacy_export_expiry")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()} ({self.requested_at:%Y-%m-%d})"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS


class DeletionRequest(models.Model):
    """A member asked for their account to be deleted. Until `scheduled_for` (the
    cool-off) the account works and they may cancel; afterwards a periodic task
    anonymises it (trust.privacy.services.deletion)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled by the member")
        COMPLETED = "completed", _("account anonymised")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="deletion_requests",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    scheduled_for = models.DateTimeField(_("deletion date"), db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    completed_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("account deletion request")
        verbose_name_plural = _("account deletion requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="scheduled"),
                name="privacy_one_scheduled_deletion",
            ),
            models.CheckConstraint(
                condition=Q(
                    status="scheduled", cancelled_at__isnull=True, completed_at__isnull=True
                )
                | Q(status="cancelled", cancelled_at__isnull=False)
                | Q(status="completed", completed_at__isnull=False),
                name="privacy_deletion_dates_match_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()} ({self.scheduled_for:%Y-%m-%d})"
