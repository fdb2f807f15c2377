"""Helpers around allauth's TOTP authenticators (demo seeding, tests)."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.conf import settings

from halobuzz.users.models import User


def current_totp_code(secret: str) -> str:
    """The six-digit code an authenticator app shows right now for ``secret``."""
    counter = int(time.time()) // getattr(settings, "MFA_TOTP_PERIOD", 30)
    return format_hotp_value(hotp_value(secret, counter))


def get_totp_secret(*, user: User) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def ensure_totp(*, user: User) -> str:
    """Activate TOTP with recovery codes for ``user`` unless it is on; return the secret."""
    secret = get_totp_secret(user=user)
    if secret is None:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    return secret


def verify_totp_code(*, user: User, code: str) -> bool:
    """Whether ``code`` is the user's current authenticator code (each code works
    once). False for a user without an authenticator."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return authenticator is not None and TOTP(authenticator).validate_code(code.strip())
