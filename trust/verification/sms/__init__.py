"""Which SMS provider sends phone codes (settings.SMS_PROVIDER), checked at start-up."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from trust.verification.sms.base import SmsProvider
from trust.verification.sms.dev import DevProvider
from trust.verification.sms.twilio import TwilioProvider

PROVIDER_NAMES = ("twilio", "dev")
TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")


def configured_provider_name() -> str:
    """settings.SMS_PROVIDER; unset means `dev` with DEBUG on and none otherwise ("")."""
    return settings.SMS_PROVIDER or ("dev" if settings.DEBUG else "")


def check_sms_settings() -> None:
    """Raise ImproperlyConfigured for an unknown provider, Twilio without its
    credentials, or `dev` with DEBUG off (test settings opt in with
    SMS_DEV_PROVIDER_WITHOUT_DEBUG): the dev provider shows every code to staff and
    texts nobody."""
    name = settings.SMS_PROVIDER
    if name and name not in PROVIDER_NAMES:
        raise ImproperlyConfigured(
            f"SMS_PROVIDER is {name!r}; known providers: {', '.join(PROVIDER_NAMES)}."
        )
    if name == "twilio":
        missing = [setting for setting in TWILIO_SETTINGS if not getattr(settings, setting)]
        if missing:
            raise ImproperlyConfigured(f"SMS_PROVIDER=twilio needs {', '.join(missing)}.")
    if name == "dev" and not settings.DEBUG and not settings.SMS_DEV_PROVIDER_WITHOUT_DEBUG:
        raise ImproperlyConfigured(
            "The dev SMS provider sends no texts and shows every code to staff; it runs "
            "only with DEBUG on. Set SMS_PROVIDER=twilio (or leave it unset)."
        )


def get_sms_provider() -> SmsProvider | None:
    """The provider phone codes go through, or None when the site has none."""
    name = configured_provider_name()
    if name == "twilio":
        return TwilioProvider(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            from_number=settings.TWILIO_FROM_NUMBER,
            api_base=settings.TWILIO_API_BASE,
        )
    if name == "dev":
        return DevProvider()
    return None
