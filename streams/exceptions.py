"""Errors raised by streams services, each with a stable code for the API and the UI."""

import math

from django.utils.translation import gettext_lazy as _

from halobuzz.core.exceptions import ApplicationError, NotFoundError


class StreamError(ApplicationError):
    pass


class StreamNotFound(NotFoundError):
    pass


class DailyStreamLimitReached(StreamError):
    def __init__(self, limit: int):
        super().__init__(
            _("You can start at most %(limit)d new streams a day. Try again tomorrow.")
            % {"limit": limit},
            code="daily_stream_limit",
            extra={"limit": limit},
        )


class AlreadyLive(StreamError):
    def __init__(self):
        super().__init__(
            _("You already have a live stream. End it before starting another."),
            code="already_live",
        )


class StreamNotEditable(StreamError):
    pass


class PublishRefused(StreamError):
    """The publisher (browser socket or RTMP encoder) may not publish to this stream."""


class ProviderDisabled(StreamError):
    code = "provider_disabled"
    status = 404


class ProviderNotConfigured(StreamError):
    code = "provider_not_configured"
    status = 503


class StreamNotLive(StreamError):
    code = "stream_not_live"
    status = 400


class RoomError(ApplicationError):
    """A refused room action. `code` is one of docs/realtime-protocol.md's error codes;
    `extra["retry_after"]` (seconds) says when to try again where that applies, and
    `extra["subscribe_url"]` where to subscribe when subscribers-only mode refused."""

    status = 400

    def __init__(
        self,
        message,
        *,
        code: str,
        retry_after: float | None = None,
        subscribe_url: str | None = None,
    ):
        extra = {}
        if retry_after is not None:
            # Rounded up to a tenth: "retry after 0.0 s" would invite an immediate refusal.
            extra["retry_after"] = max(0.1, math.ceil(retry_after * 10) / 10)
        if subscribe_url:
            extra["subscribe_url"] = subscribe_url
        super().__init__(message, code=code, extra=extra)

    @property
    def retry_after(self) -> float | None:
        return self.extra.get("retry_after")


class RoomForbidden(RoomError):
    status = 403

    def __init__(self, message=None):
        super().__init__(
            message or _("Only the host and moderators can do that."), code="forbidden"
        )


class RoomItemNotFound(RoomError):
    status = 404

    def __init__(self, message=None):
        super().__init__(message or _("That is not in this room any more."), code="not_found")
