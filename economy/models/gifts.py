"""Gifts viewers send to creators in live rooms, and the creators' partner tiers
that decide their share (economy.services.gifts)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from halobuzz.core.translated import localized_value


class Gift(models.Model):
    class Tier(models.TextChoices):
        # Small and medium play beside the chat; large and legendary take the screen.
        SMALL = "small", _("small")
        MEDIUM = "medium", _("medium")
        LARGE = "large", _("large")
        LEGENDARY = "legendary", _("legendary")

    class Animation(models.TextChoices):
        # CSS animations in static/economy/css/gifts.css.
        FLOAT = "float", _("float up")
        BOUNCE = "bounce", _("bounce")
        SPIN = "spin", _("spin")
        BURST = "burst", _("burst")
        RAIN = "rain", _("rain across the screen")
        FIREWORKS = "fireworks", _("fireworks")
        SPOTLIGHT = "spotlight", _("spotlight")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name (English)"), max_length=60)
    name_ne = models.CharField(_("name (Nepali)"), max_length=60, blank=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=60, blank=True)
    name_pt_br = models.CharField(_("name (Portuguese)"), max_length=60, blank=True)
    icon = models.CharField(
        _("icon"), max_length=8, help_text=_("An emoji, shown when the gift has no image.")
    )
    image = models.ImageField(
        _("image"),
        upload_to="gifts/",
        blank=True,
        help_text=_("Optional; square PNG, SVG or WebP, shown instead of the icon."),
    )
    animation = models.CharField(
        _("animation"), max_length=16, choices=Animation.choices, default=Animation.FLOAT
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.SMALL)
    price_coins = models.PositiveIntegerField(
        _("price in coins"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    available_countries = CountryField(
        _("only for viewers in"),
        multiple=True,
        blank=True,
        help_text=_("Leave empty to offer the gift everywhere."),
    )
    available_from = models.DateTimeField(
        _("available from"), null=True, blank=True, help_text=_("For campaign gifts.")
    )
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["position", "price_coins", "pk"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.CheckConstraint(condition=Q(price_coins__gte=1), name="gift_price_positive"),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gt=models.F("available_from")),
                name="gift_window_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.icon} {self.name} ({self.price_coins})"

    def localized_name(self, language_code: str | None = None) -> str:
        return localized_value(self, "name", language_code)

    def names_by_language(self) -> dict[str, str]:
        """{"en": ..., "ne": ..., "hi": ..., "pt-br": ...} for frames every viewer
        reads in their own language."""
        return {code: self.localized_name(code) for code, _name in settings.LANGUAGES}

    @property
    def takes_the_screen(self) -> bool:
        return self.tier in (self.Tier.LARGE, self.Tier.LEGENDARY)

    def is_available_to(self, *, country: str, at=None) -> bool:
        """Active, inside its campaign window, and offered in the viewer's country
        (a viewer with no country set sees regional gifts too)."""
        at = at or timezone.now()
        if not self.is_active:
            return False
        if self.available_from and at < self.available_from:
            return False
        if self.available_until and at >= self.available_until:
            return False
        if self.available_countries and country:
            return country in {str(code) for code in self.available_countries}
        return True


class PartnerTier(models.TextChoices):
    AFFILIATE = "affiliate", _("Affiliate")
    PARTNER = "partner", _("Partner")
    ELITE = "elite", _("Elite")


# The creator's share of what viewers spend on them, in percent (HaloBuzz plan,
# "Partner programme"); the rest is platform revenue.
PARTNER_SHARE_PERCENT = {
    PartnerTier.AFFILIATE: 70,
    PartnerTier.PARTNER: 80,
    PartnerTier.ELITE: 85,
}


class CreatorPartnership(models.Model):
    """A creator's partner tier, set by staff. A creator without a row is an
    Affiliate."""

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="partnership",
    )
    tier = models.CharField(
        _("partner tier"), max_length=16, choices=PartnerTier.choices, default=PartnerTier.AFFILIATE
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("creator partnership")
        verbose_name_plural = _("creator partnerships")

    def __str__(self) -> str:
        return f"{self.creator}: {self.get_tier_display()}"

    @property
    def share_percent(self) -> int:
        return PARTNER_SHARE_PERCENT[self.tier]
