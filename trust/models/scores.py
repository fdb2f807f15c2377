"""Trust scores: the weights staff tune, each member's current score, and its history.

The formula and every input are in `trust.scores.formula` (docs/trust-score.md).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

UNIT_INTERVAL = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class TrustLevel(models.TextChoices):
    NEW = "new", _("New")
    FAIR = "fair", _("Fair")
    GOOD = "good", _("Good")
    EXCELLENT = "excellent", _("Excellent")


class TrustWeights(models.Model):
    """The one row of weights and level bands (the HaloBuzz plan's defaults)."""

    verification = models.DecimalField(
        _("verification weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=UNIT_INTERVAL,
    )
    social_proof = models.DecimalField(
        _("social proof weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=UNIT_INTERVAL,
    )
    financial = models.DecimalField(
        _("financial weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=UNIT_INTERVAL,
    )
    content = models.DecimalField(
        _("content weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=UNIT_INTERVAL,
    )
    fair_from = models.PositiveSmallIntegerField(_("“fair” from"), default=40, validators=PERCENT)
    good_from = models.PositiveSmallIntegerField(_("“good” from"), default=60, validators=PERCENT)
    excellent_from = models.PositiveSmallIntegerField(
        _("“excellent” from"), default=80, validators=PERCENT
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("trust score weights")
        verbose_name_plural = _("trust score weights")

    def __str__(self) -> str:
        return str(_("Trust score weights"))

    def clean(self) -> None:
        total = self.verification + self.social_proof + self.financial + self.content
        if total != Decimal("1"):
            raise ValidationError(
                _("The four weights must add up to 1.00 (they add up to %(total)s).")
                % {"total": total}
            )
        if not (self.fair_from < self.good_from < self.excellent_from):
            raise ValidationError(_("The levels must start at increasing scores."))


class TrustScore(models.Model):
    """A member's current score (0 to 100) with its four components (0 to 1)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust_score"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    level = models.CharField(_("level"), max_length=12, choices=TrustLevel.choices)
    components = models.JSONField(_("components"), default=dict)
    # Every input the components were computed from, so a score can be explained.
    inputs = models.JSONField(_("inputs"), default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("trust score")
        verbose_name_plural = _("trust scores")
        indexes = [models.Index(fields=["level"])]

    def __str__(self) -> str:
        return f"{self.user}: {self.score}"


class TrustScoreChange(models.Model):
    """A score as it was computed, kept when it differs from the one before."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust_score_history"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    level = models.CharField(_("level"), max_length=12, choices=TrustLevel.choices)
    components = models.JSONField(_("components"), default=dict)
    computed_at = models.DateTimeField(_("computed"), db_index=True)

    class Meta:
        ordering = ["-computed_at"]
        verbose_name = _("trust score change")
        verbose_name_plural = _("trust score history")
        indexes = [models.Index(fields=["user", "-computed_at"])]

    def __str__(self) -> str:
        return f"{self.user}: {self.score}"
