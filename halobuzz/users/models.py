import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from halobuzz.users.signals import validate_public_text
from halobuzz.users.validators import (
    username_validator,
    validate_time_zone,
    validate_username_not_reserved,
)


def time_zone_choices() -> list[tuple[str, str]]:
    # A callable, so migrations do not change whenever the tz database does.
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def avatar_upload_path(instance, filename: str) -> str:
    return f"avatars/{instance.pk}/{filename}"


class User(AbstractUser):
    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        validators=[username_validator, validate_username_not_reserved, validate_public_text],
        help_text=_("3 to 30 letters, digits or underscores. Shown in your profile link."),
        error_messages={"unique": _("That username is taken.")},
    )
    display_name = models.CharField(
        _("display name"), max_length=60, blank=True, validators=[validate_public_text]
    )
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_path, blank=True)
    bio = models.TextField(_("bio"), max_length=500, blank=True, validators=[validate_public_text])
    country = CountryField(_("country"), blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    preferred_currency = models.CharField(
        _("currency"), max_length=3, choices=settings.CURRENCY_CHOICES, default="USD"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=time_zone_choices,
        default="UTC",
        validators=[validate_time_zone],
    )
    is_creator = models.BooleanField(
        _("creator"),
        default=False,
        help_text=_("Creators appear in discovery and leaderboards."),
    )
    # Until the trust app's identity and bank verification lands, staff confirm a
    # creator's identity by hand before they may withdraw earnings.
    is_kyc_verified = models.BooleanField(
        _("identity verified"),
        default=False,
        help_text=_("Set by staff after checking the creator's ID; required for payouts."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            models.Index(fields=["country"]),
            models.Index(fields=["preferred_language"]),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("users:profile", kwargs={"username": self.username})


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_links"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="unique_follow"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="no_self_follow"),
        ]
        indexes = [models.Index(fields=["followee", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.follower} → {self.followee}"
