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
