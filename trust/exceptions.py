"""Errors raised by trust services, each with a stable code for the API, forms and chat."""

from django.utils.translation import gettext_lazy as _

from halobuzz.core.exceptions import ApplicationError, NotFoundError


class TrustError(ApplicationError):
    pass


class NotAllowed(TrustError):
    code = "forbidden"
    status = 403

    def __init__(self, message=None):
        super().__init__(message or _("You are not allowed to do that."))


class InvalidBlockedTerm(TrustError):
    code = "invalid_term"


class BlockedTermExists(TrustError):
    code = "term_exists"
    status = 409

    def __init__(self, term: str):
        super().__init__(_("“%(term)s” is already blocked.") % {"term": term}, extra={"term": term})


class BlockedTermNotFound(NotFoundError):
    code = "blocked_term_not_found"

    def __init__(self):
        super().__init__(_("That blocked term does not exist or is not yours to remove."))


class InvalidSiteBan(TrustError):
    """A ban that cannot be made as asked (`code` says why)."""


class AlreadyBannedSitewide(TrustError):
    code = "already_banned"
    status = 409

    def __init__(self, *, username: str, expires_at=None):
        super().__init__(
            _("%(username)s is already banned site-wide.") % {"username": username},
            extra={"expires_at": expires_at.isoformat() if expires_at else None},
        )


# --- Reports, cases and appeals --------------------------------------------------------


class ReportTargetNotFound(NotFoundError):
    code = "report_target_not_found"

    def __init__(self):
        super().__init__(_("There is nothing to report there: it may have been removed."))


class InvalidReport(TrustError):
    """A report that cannot be made as asked (`code` says why)."""


class AlreadyReported(TrustError):
    code = "already_reported"
    status = 409

    def __init__(self):
        super().__init__(_("You have already reported this. Our moderators are looking at it."))


class ReportsTooFrequent(TrustError):
    code = "reports_too_frequent"
    status = 429

    def __init__(self, *, retry_after_seconds: int):
        super().__init__(
            _("You have sent many reports in a short time. Try again in %(minutes)d minutes.")
            % {"minutes": max(1, -(-retry_after_seconds // 60))},
            extra={"retry_after_seconds": retry_after_seconds},
        )


class CaseNotFound(NotFoundError):
    code = "case_not_found"

    def __init__(self):
        super().__init__(_("That moderation case does not exist."))


class InvalidCaseAction(TrustError):
    """An action that does not fit the case (`code` says why)."""


class InvalidAppeal(TrustError):
    """An appeal that cannot be made or decided as asked (`code` says why)."""
