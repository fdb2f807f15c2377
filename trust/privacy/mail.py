"""Emails to a member, in their language and with times in their time zone."""

import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation


def send_member_email(
    *, to: str, language: str, time_zone: str, subject, template: str, context: dict
) -> None:
    """`subject` may be lazy: it is translated here, in the member's language."""
    if not to:
        return
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(zone):
        send_mail(
            subject=str(subject),
            message=render_to_string(template, context),
            from_email=None,
            recipient_list=[to],
        )
