"""Making and texting phone codes, away from the web request.

The request stores a `PhoneCode` row with no code yet and, once that commits, queues
the Celery task `send_phone_code` with the row's id. The task makes the code, stores
its keyed hash and texts it: the plain code exists only in the worker's memory,
never in the broker or the database. Each issue is a new row (a new id), so a task
for a code that was replaced since finds nothing to send.

A task sends at most once: it claims its row by writing the hash only while the hash
is still empty, and a second run of the same task (a redelivery) finds it written. A
crash between the claim and the send leaves a code nobody received; the member asks
for a new one. A provider failure is recorded on the row (the page says so) and
frees the resend cooldown.
"""

import logging
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from trust.verification.models import PhoneCode, Verification
from trust.verification.selectors import phone_code_lifetime_minutes
from trust.verification.sms import get_sms_provider
from trust.verification.sms.base import SmsError, SmsUnavailable

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
HMAC_SALT = "trust.verification.phone-code"


def hash_code(*, verification_id: int, code: str) -> str:
    return salted_hmac(HMAC_SALT, f"{verification_id}:{code}", algorithm="sha256").hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def cooldown_key(user_id: int) -> str:
    return f"verification:phone-cooldown:{user_id}"


def code_text(*, user, code: str) -> str:
    """The text message, in `user`'s language, with the lifetime the settings give."""
    minutes = phone_code_lifetime_minutes()
    with translation.override(user.preferred_language):
        return ngettext(
            "Your HaloBuzz code is %(code)s. It expires in %(minutes)d minute.",
            "Your HaloBuzz code is %(code)s. It expires in %(minutes)d minutes.",
            minutes,
        ) % {"code": code, "minutes": minutes}


def _queue_send(phone_code_id: int) -> None:
    from trust.verification import tasks

    tasks.send_phone_code.delay(phone_code_id)


def issue_phone_code(*, verification: Verification, now) -> PhoneCode:
    """Replace any code of `verification` by a new, not yet made one, and queue its
    text once the caller's transaction commits. The caller holds a transaction."""
    lifetime = timedelta(seconds=settings.PHONE_CODE_LIFETIME_SECONDS)
    PhoneCode.objects.filter(verification=verification).delete()
    phone_code = PhoneCode.objects.create(
        verification=verification,
        code_hash="",
        created_at=now,
        expires_at=now + lifetime,
        attempts_left=settings.PHONE_CODE_MAX_ATTEMPTS,
    )
    # Pending rows lapse at this time even if the task never runs.
    verification.expires_at = now + lifetime
    verification.save(update_fields=["expires_at"])
    transaction.on_commit(partial(_queue_send, phone_code.pk))
    return phone_code


def _claim(phone_code: PhoneCode) -> str | None:
    """Make the code and store its hash, if nobody has yet. Returns the plain code,
    or None when this row was claimed (or replaced) already."""
    code = _new_code()
    now = timezone.now()
    expires_at = now + timedelta(seconds=settings.PHONE_CODE_LIFETIME_SECONDS)
    with transaction.atomic():
        claimed = PhoneCode.objects.filter(
            pk=phone_code.pk, code_hash="", delivery_error=""
        ).update(
            code_hash=hash_code(verification_id=phone_code.verification_id, code=code),
            created_at=now,
            expires_at=expires_at,
        )
        if not claimed:
            return None
        # The code's lifetime starts when it is made, however long the queue was.
        Verification.objects.filter(
            pk=phone_code.verification_id, status=Verification.Status.PENDING
        ).update(expires_at=expires_at)
    return code


def deliver_phone_code(*, phone_code_id: int) -> bool:
    """Make the code of this `PhoneCode` row and text it; True when the provider
    accepted it. Does nothing for a row already sent, failed, replaced or no longer
    pending. Never raises for a provider failure: it is recorded on the row, and the
    cooldown is lifted so the member may try again at once."""
    phone_code = (
        PhoneCode.objects.select_related("verification__user")
        .filter(
            pk=phone_code_id,
            code_hash="",
            delivery_error="",
            verification__status=Verification.Status.PENDING,
        )
        .first()
    )
    if phone_code is None:
        return False
    verification = phone_code.verification
    code = _claim(phone_code)
    if code is None:
        return False
    provider = get_sms_provider()
    try:
        if provider is None:
            raise SmsUnavailable("no SMS provider is configured", code="no_provider")
        receipt = provider.send_text(
            to=verification.subject, body=code_text(user=verification.user, code=code)
        )
    except SmsError as error:
        # The error's code only: the provider's message may quote the number.
        logger.warning("Phone code %s not sent: %s", phone_code_id, error.code)
        if PhoneCode.objects.filter(pk=phone_code_id).update(delivery_error=error.code[:100]):
            cache.delete(cooldown_key(verification.user_id))
        return False
    logger.info("Phone code %s sent (%s)", phone_code_id, receipt.provider_message_id)
    return True
