"""Applying a visitor's language and time zone to each request."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


def activate_request_preferences(request) -> None:
    """Signed-in users get their saved language and time zone; visitors get the
    time zone their browser reported in a cookie (static/halobuzz/js/timezone.js)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        translation.activate(user.preferred_language)
        request.LANGUAGE_CODE = translation.get_language()
        time_zone_name = user.time_zone
    else:
        time_zone_name = request.COOKIES.get(settings.TIME_ZONE_COOKIE_NAME, "")
    try:
        timezone.activate(zoneinfo.ZoneInfo(time_zone_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


def remember_language_in_cookie(*, response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=False,
    )
