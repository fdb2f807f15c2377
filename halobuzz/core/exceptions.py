"""The one error type that services raise; every edge turns it into its own shape.

DRF answers ``{"code", "message", "extra"}`` with ``status``; forms show the
message; consumers send ``{"type": "error", "code", "message"}``.
"""


class ApplicationError(Exception):
    code = "application_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    code = "not_found"
    status = 404
