"""Twilio's Programmable Messaging: one POST to the Messages resource.

POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json, HTTP basic auth with the
account SID and auth token, form fields To, From, Body. Twilio answers 201 with the
message resource, or 4xx/5xx with {"code", "message", "more_info", "status"}.
"""

import logging

import httpx

from trust.verification.sms.base import (
    SentText,
    SmsProvider,
    SmsRefused,
    SmsUnavailable,
    http_client,
)

logger = logging.getLogger(__name__)


class TwilioProvider(SmsProvider):
    name = "twilio"

    def __init__(self, *, account_sid: str, auth_token: str, from_number: str, api_base: str):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.api_base = api_base.rstrip("/")

    @property
    def messages_url(self) -> str:
        return f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def send_text(self, *, to: str, body: str) -> SentText:
        try:
            with http_client() as client:
                response = client.post(
                    self.messages_url,
                    auth=(self.account_sid, self.auth_token),
                    data={"To": to, "From": self.from_number, "Body": body},
                )
        except httpx.HTTPError as error:
            raise SmsUnavailable(
                f"Twilio could not be reached ({type(error).__name__})", code="twilio_unreachable"
            ) from error
        if response.is_success:
            try:
                return SentText(provider_message_id=str(response.json()["sid"]))
            except (ValueError, KeyError, TypeError) as error:
                raise SmsUnavailable("Twilio answered without a message sid") from error
        raise self._error(response)

    @staticmethod
    def _error(response: httpx.Response) -> SmsRefused | SmsUnavailable:
        # Only Twilio's error code and the HTTP status go into the error and the log:
        # Twilio's own message quotes the number ("Invalid 'To' Phone Number: +97…").
        try:
            twilio_code = response.json().get("code")
        except (ValueError, AttributeError):
            twilio_code = None
        code = f"twilio_{twilio_code}" if twilio_code else f"http_{response.status_code}"
        message = f"Twilio refused the message (HTTP {response.status_code}, {code})"
        logger.warning("%s", message)
        if response.status_code >= 500 or response.status_code == 429:
            return SmsUnavailable(message, code=code)
        return SmsRefused(message, code=code)
