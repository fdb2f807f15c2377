"""Errors raised by privacy services, each with a stable code for forms and pages."""

import math

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from halobuzz.core.exceptions import ApplicationError, NotFoundError


class PrivacyError(ApplicationError):
    pass


class ExportInProgress(PrivacyError):
    code = "export_in_progress"
    status = 409

    def __init__(self):
        super().__init__(
            _("Your data is already being prepared. We will email you when it is ready.")
        )


class ExportTooSoon(PrivacyError):
    code = "export_too_soon"
    status = 429

    def __init__(self, *, available_at):
        hours = settings.PRIVACY_EXPORT_MIN_INTERVAL_HOURS
        super().__init__(
            ngettext(
                "You can ask for a new copy of your data once every %(hours)d hour. "
                "Try again after %(when)s.",
                "You can ask for a new copy of your data once every %(hours)d hours. "
                "Try again after %(when)s.",
                hours,
            )
            % {
                "hours": hours,
                "when": date_format(timezone.localtime(available_at), "DATETIME_FORMAT"),
            },
            extra={"available_at": available_at.isoformat()},
        )


class ExportNotFound(NotFoundError):
    code = "export_not_found"

    def __init__(self):
        super().__init__(_("There is no such download."))


class ExportLinkExpired(PrivacyError):
    code = "export_link_expired"
    status = 410

    def __init__(self):
        super().__init__(
            _("This download link has expired and the file was deleted. Ask for a new copy.")
        )


class WrongPassword(PrivacyError):
    code = "wrong_password"

    def __init__(self):
        super().__init__(_("That is not your current password."))


class TooManyPasswordAttempts(PrivacyError):
    code = "too_many_password_attempts"
    status = 429

    def __init__(self, *, seconds: float):
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(
            ngettext(
                "Too many tries to confirm with your password. Wait %(minutes)d minute, "
                "then try again.",
                "Too many tries to confirm with your password. Wait %(minutes)d minutes, "
                "then try again.",
                minutes,
            )
            % {"minutes": minutes},
            extra={"retry_after": math.ceil(seconds)},
        )


class AuthenticatorCodeNeeded(PrivacyError):
    code = "authenticator_code_needed"

    def __init__(self):
        super().__init__(
            _("Your account has two-factor authentication: enter the code your app shows now.")
        )


class WrongAuthenticatorCode(PrivacyError):
    code = "wrong_authenticator_code"

    def __init__(self):
        super().__init__(
            _("That authentication code is not right, or it was already used. Try the next one.")
        )


class PasswordNeeded(PrivacyError):
    code = "password_needed"

    def __init__(self):
        super().__init__(
            _("Your account has no password. Set one under Account & security, then try again.")
        )


class DeletionAlreadyScheduled(PrivacyError):
    code = "deletion_already_scheduled"
    status = 409

    def __init__(self):
        super().__init__(_("Your account is already scheduled for deletion."))


class NoDeletionToCancel(PrivacyError):
    code = "no_deletion_to_cancel"

    def __init__(self):
        super().__init__(_("Your account is not scheduled for deletion."))


class DeletionUnderWay(PrivacyError):
    code = "deletion_under_way"
    status = 409

    def __init__(self):
        super().__init__(
            _(
                "The cool-off period has ended and your account is being deleted; it can no "
                "longer be cancelled."
            )
        )
