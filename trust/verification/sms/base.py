"""The interface every SMS provider implements.

A provider only delivers text: it never touches the database except the `dev`
provider's outbox. It is called from a Celery task queued after the code's row has
committed (trust.verification.services.phone_delivery), so a slow or failing
provider never holds a lock, rolls back a code or keeps a web request waiting.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

import httpx
from django.conf import settings


class SmsError(Exception):
    """The text was not accepted for delivery. `code` is a short stable word (or the
    provider's own error code) for logs and the page; the message is for staff."""

    def __init__(self, message: str, *, code: str = "sms_failed"):
        super().__init__(message)
        self.code = code


class SmsRefused(SmsError):
    """The provider answered and said no (a 4xx: bad number, blocked destination)."""


class SmsUnavailable(SmsError):
    """The provider could not be reached or failed (network, 5xx): try later."""


@dataclass(frozen=True)
class SentText:
    """The provider's receipt: its id for the message, for the logs."""

    provider_message_id: str


class SmsProvider(ABC):
    #: The value of settings.SMS_PROVIDER that picks this provider.
    name: str

    @abstractmethod
    def send_text(self, *, to: str, body: str) -> SentText:
        """Hand `body` over for delivery to `to` (E.164). Raises SmsRefused or
        SmsUnavailable when it was not accepted."""


def http_client() -> httpx.Client:
    return httpx.Client(timeout=settings.SMS_HTTP_TIMEOUT_SECONDS)
