import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Usernames appear in profile URLs (/@name), so keep them URL- and mention-safe.
username_validator = RegexValidator(
    regex=r"^[A-Za-z0-9_]{3,30}$",
    message=_("Use 3 to 30 letters, digits or underscores."),
    code="invalid_username",
)


def _validate_public_username(value: str) -> None:
    # Looked up when called: trust registers its checks after the apps load.
    from halobuzz.users.signals import validate_public_text

    validate_public_text(value)


USERNAME_VALIDATORS = [username_validator, _validate_public_username]

RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "api",
        "accounts",
        "static",
        "media",
        "live",
        "reels",
        "wallet",
        "studio",
        "settings",
        "support",
        "halobuzz",
        "moderator",
        "staff",
        "root",
        "system",
    }
)


def validate_username_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_USERNAMES:
        raise ValidationError(_("That username is reserved."), code="reserved_username")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone."), code="invalid_time_zone")
