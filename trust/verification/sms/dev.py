"""A provider for laptops and tests: it sends nothing. The text goes to the log and
to the `DevTextMessage` outbox (one row per number, the last text), which staff read
in the console. Refused at start-up when DEBUG is off (see `check_sms_settings`)."""

import logging

from django.utils import timezone

from trust.verification.sms.base import SentText, SmsProvider

logger = logging.getLogger(__name__)


class DevProvider(SmsProvider):
    name = "dev"

    def send_text(self, *, to: str, body: str) -> SentText:
        from trust.verification.models import DevTextMessage

        logger.warning("Dev SMS provider: text to %s: %s", to, body)
        DevTextMessage.objects.update_or_create(
            to=to, defaults={"body": body, "sent_at": timezone.now()}
        )
        return SentText(provider_message_id=f"dev-{to}")
