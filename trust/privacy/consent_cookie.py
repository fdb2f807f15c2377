"""The consent choice kept in the visitor's browser: a signed cookie, so that visitors
who are not signed in get the banner once, and so a choice made before signing in
can be recorded for the account (trust.privacy.signals).

The value is `django.core.signing` output (URL-safe, tamper-proof); a cookie that
does not verify counts as no choice.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing

from trust.privacy.models import OPTIONAL_PURPOSES

SALT = "trust.privacy.consent-cookie"


@dataclass(frozen=True)
class CookieChoice:
    policy_version: str
    choices: dict[str, bool]
    source: str
    chosen_at: datetime


def read_choice(request) -> CookieChoice | None:
    """The choice stored in the request's cookie, or None when there is none or it
    does not verify."""
    value = request.COOKIES.get(settings.PRIVACY_CONSENT_COOKIE_NAME)
    if not value:
        return None
    try:
        payload = signing.loads(value, salt=SALT, max_age=settings.PRIVACY_CONSENT_COOKIE_AGE)
        choices = {purpose: bool(payload["choices"][purpose]) for purpose in OPTIONAL_PURPOSES}
        return CookieChoice(
            policy_version=str(payload["version"]),
            choices=choices,
            source=str(payload["source"]),
            chosen_at=datetime.fromtimestamp(int(payload["at"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def remember_choice(response, *, choices: dict[str, bool], source: str, chosen_at: datetime):
    """Store the choice, under the current policy version, in the response's cookie."""
    payload = {
        "version": settings.PRIVACY_POLICY_VERSION,
        "choices": {purpose: bool(choices[purpose]) for purpose in OPTIONAL_PURPOSES},
        "source": source,
        "at": int(chosen_at.timestamp()),
    }
    response.set_cookie(
        settings.PRIVACY_CONSENT_COOKIE_NAME,
        signing.dumps(payload, salt=SALT, compress=True),
        max_age=settings.PRIVACY_CONSENT_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
