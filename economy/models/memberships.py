"""OG membership: tiers bought with coins for a number of days (HaloBuzz plan), with
a badge and coloured name in chat, an entrance in rooms, daily bonus coins and a
discount on gifts (economy.services.memberships)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class OGTier(models.Model):
    tier = models.PositiveSmallIntegerField(
        _("tier"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    name = models.CharField(_("name"), max_length=40)
    price_coins = models.PositiveIntegerField(
        _("price in coins"), validators=[MinValueValidator(1)]
    )
    duration_days = models.PositiveSmallIntegerField(
        _("days"), default=30, validators=[MinValueValidator(1)]
    )
    daily_bonus_coins = models.PositiveIntegerField(_("daily bonus coins"), default=0)
    gift_discount_percent = models.PositiveSmallIntegerField(
        _("gift discount (%)"), default=0, validators=[MaxValueValidator(50)]
    )
    name_color = models.CharField(
        _("name colour in chat"),
        max_length=7,
        default="#f5c542",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #f5c542."))],
    )
    has_entry_effect = models.BooleanField(_("entrance when joining a room"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        ordering = ["tier"]
        verbose_name = _("OG tier")
        verbose_name_plural = _("OG tiers")

    def __str__(self) -> str:
        return f"OG{self.tier} {self.name}"


class OGMembership(models.Model):
    """A user's OG membership: the tier they hold and until when. One row per user,
    extended by renewals; `expires_at` in the past means it has lapsed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="og_membership",
    )
    tier = models.ForeignKey(
        OGTier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="memberships"
    )
    started_at = models.DateTimeField(_("member since"))
    expires_at = models.DateTimeField(_("until"), db_index=True)
    # The job that ends memberships sets this once, so each member is told once.
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    last_bonus_on = models.DateField(_("last daily bonus"), null=True, blank=True)

    class Meta:
        verbose_name = _("OG membership")
        verbose_name_plural = _("OG memberships")

    def __str__(self) -> str:
        return f"{self.user}: {self.tier} until {self.expires_at:%Y-%m-%d}"
