"""Trust badges, awarded and revoked by rules (`trust.badges`), never by hand.

Each award is a row; revoking sets `revoked_at` on it, and earning the badge again
adds a new row, so the table is the audit trail of who held which badge when.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Badge(models.TextChoices):
    VERIFIED_CREATOR = "verified_creator", _("Verified Creator")
    TRUSTED_STREAMER = "trusted_streamer", _("Trusted Streamer")
    COMMUNITY_CHAMPION = "community_champion", _("Community Champion")
    PREMIUM_PARTNER = "premium_partner", _("Premium Partner")


class BadgeAward(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards"
    )
    badge = models.CharField(_("badge"), max_length=24, choices=Badge.choices)
    awarded_at = models.DateTimeField(_("awarded"))
    # Why it was awarded: the rule's figures at the time.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_because = models.CharField(_("revoked because"), max_length=200, blank=True)

    class Meta:
        ordering = ["-awarded_at"]
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "badge"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_current_award_per_badge",
            )
        ]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_badge_display()}"
