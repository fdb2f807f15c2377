"""AI image moderation decisions worth keeping: images the classifier sent to review or
blocked, with the score and the model version that decided (passes are only logged)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trust.verification.storage import private_storage


def flagged_image_path(scan, filename: str) -> str:
    return f"moderation/{scan.subject_kind}/{filename}"


class ImageScan(models.Model):
    class SubjectKind(models.TextChoices):
        STREAM_FRAME = "stream_frame", _("Stream frame")
        AVATAR = "avatar", _("Avatar")

    class Decision(models.TextChoices):
        REVIEW = "review", _("Sent to review")
        BLOCK = "block", _("Blocked")

    subject_kind = models.CharField(_("image"), max_length=16, choices=SubjectKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="image_scans",
        verbose_name=_("owner"),
    )
    stream = models.ForeignKey(
        "streams.Stream", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A copy of the image as it was scanned, kept privately for the moderators: a
    # blocked frame is taken off the public site.
    image = models.FileField(
        _("image"), storage=private_storage, upload_to=flagged_image_path, blank=True
    )
    score = models.FloatField(_("score"))
    labels = models.JSONField(_("labels"), default=dict)
    model_version = models.CharField(_("model version"), max_length=120)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    elapsed_ms = models.FloatField(_("time (ms)"))
    case = models.ForeignKey(
        "trust.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="image_scans"
    )
    created_at = models.DateTimeField(_("scanned"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("flagged image")
        verbose_name_plural = _("flagged images")

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()} {self.score:.2f} ({self.get_decision_display()})"
