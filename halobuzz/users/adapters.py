import zoneinfo

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from halobuzz.users.selectors import find_user_by_login
from halobuzz.users.validators import validate_username_not_reserved


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username, shallow=False):
        username = super().clean_username(username, shallow=shallow)
        try:
            validate_username_not_reserved(username)
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="reserved_username") from error
        return username

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Count failed sign-ins per account, not per typed identifier, so that
        switching between username and email does not reset the lockout.

        Overrides a private allauth hook; tests/core/test_login_lockout.py guards it.
        """
        login = credentials.get("email", credentials.get("username", ""))
        account = find_user_by_login(login=login)
        if account is None:
            return super()._get_login_attempts_cache_key(request, **credentials)
        return f"account:{account.pk}"

    def save_user(self, request, user, form, commit=True):
        """New accounts start in the language the visitor was browsing in and the
        time zone their browser reported."""
        user.preferred_language = _supported_language(translation.get_language())
        reported_time_zone = request.COOKIES.get(settings.TIME_ZONE_COOKIE_NAME, "")
        if reported_time_zone in zoneinfo.available_timezones():
            user.time_zone = reported_time_zone
        return super().save_user(request, user, form, commit=commit)


def _supported_language(language_code: str | None) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    return language_code if language_code in supported else settings.LANGUAGE_CODE
