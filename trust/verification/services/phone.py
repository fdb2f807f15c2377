"""The phone layer: text a six-digit code to the number, then check what the member types.

Codes are kept as an HMAC keyed with SECRET_KEY (a leaked database does not reveal
them), last PHONE_CODE_LIFETIME_SECONDS and survive PHONE_CODE_MAX_ATTEMPTS wrong
guesses. Sending is limited four ways: one code per PHONE_CODE_RESEND_COOLDOWN_SECONDS
per account, PHONE_CODE_SENDS_PER_HOUR to one account and to one number, and
PHONE_CODE_SENDS_PER_HOUR_PER_IP from one client address (token buckets in
halobuzz.core.ratelimit), so nobody can use us to flood a stranger's phone. The
allowance is taken before anything about the number is checked, so asking whether a
number is taken costs as much as a text.

The code is made and texted by a Celery task queued after commit
(services.phone_delivery); the web request makes no network call.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from halobuzz.core import ratelimit
from trust.scores.services import schedule_trust_recompute
from trust.verification.exceptions import (
    AlreadyVerified,
    NoPendingPhoneVerification,
    PhoneCodeExhausted,
    PhoneCodeExpired,
    PhoneNumberTaken,
    ResendTooSoon,
    TooManyCodes,
    WrongPhoneCode,
)
from trust.verification.models import PhoneCode, Verification
from trust.verification.phones import parse_phone_number
from trust.verification.services.common import lapse_pending, require_layer_for
from trust.verification.services.phone_delivery import cooldown_key, hash_code, issue_phone_code

PHONE = Verification.Kind.PHONE
PENDING = Verification.Status.PENDING
VERIFIED = Verification.Status.VERIFIED


def _take_send_allowance(*, user, e164: str, client_ip: str | None) -> None:
    """Raise ResendTooSoon within the cooldown, TooManyCodes past the hourly caps
    (the client address's only when `client_ip` is given)."""
    cooldown = settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS
    now = time.time()
    if cooldown and not cache.add(cooldown_key(user.pk), now, timeout=cooldown):
        started = cache.get(cooldown_key(user.pk)) or now
        raise ResendTooSoon(seconds=max(1, math.ceil(started + cooldown - now)))
    per_hour = settings.PHONE_CODE_SENDS_PER_HOUR
    buckets = [
        (f"verification:sms:user:{user.pk}", per_hour),
        (f"verification:sms:number:{e164}", per_hour),
    ]
    if client_ip:
        buckets.insert(
            0, (f"verification:sms:ip:{client_ip}", settings.PHONE_CODE_SENDS_PER_HOUR_PER_IP)
        )
    for bucket, limit in buckets:
        wait = ratelimit.consume(key=bucket, per_second=limit / 3600, burst=limit)
        if wait:
            raise TooManyCodes(seconds=math.ceil(wait))


def _number_taken(*, e164: str, user) -> bool:
    return (
        Verification.objects.filter(kind=PHONE, status=VERIFIED, subject=e164)
        .exclude(user=user)
        .exists()
    )


def start_phone_verification(
    *, user, raw_number: str, region: str | None = None, client_ip: str | None = None
) -> Verification:
    """Read the number (national numbers in `region`), and text a code to it.

    Any earlier pending phone attempt lapses. `client_ip`, when given, counts
    against the per-address cap. Raises LayerNotOffered (no SMS provider),
    InvalidPhoneNumber, ResendTooSoon or TooManyCodes, and then (having used the
    allowance, so numbers cannot be probed for free) AlreadyVerified (this number is
    already the member's) or PhoneNumberTaken (verified on another account).
    """
    require_layer_for(user=user, kind=PHONE)
    parsed = parse_phone_number(raw_number=raw_number, region=region)
    _take_send_allowance(user=user, e164=parsed.e164, client_ip=client_ip)
    if Verification.objects.filter(
        user=user, kind=PHONE, status=VERIFIED, subject=parsed.e164
    ).exists():
        raise AlreadyVerified(_("This number is already verified on your account."))
    if _number_taken(e164=parsed.e164, user=user):
        raise PhoneNumberTaken()
    now = timezone.now()
    with transaction.atomic():
        lapse_pending(user=user, kind=PHONE, now=now)
        verification = Verification.objects.create(
            user=user,
            kind=PHONE,
            subject=parsed.e164,
            evidence={"region": parsed.region},
        )
        issue_phone_code(verification=verification, now=now)
    return verification


def _get_pending(*, user, lock: bool = False) -> Verification:
    rows = Verification.objects.filter(user=user, kind=PHONE, status=PENDING)
    verification = (rows.select_for_update(no_key=True) if lock else rows).first()
    if verification is None:
        raise NoPendingPhoneVerification()
    return verification


def resend_phone_code(*, user, client_ip: str | None = None) -> Verification:
    """Text a new code to the number being verified; the old code stops working.
    `client_ip`, when given, counts against the per-address cap.

    Raises NoPendingPhoneVerification, ResendTooSoon or TooManyCodes.
    """
    require_layer_for(user=user, kind=PHONE)
    pending = _get_pending(user=user)
    _take_send_allowance(user=user, e164=pending.subject, client_ip=client_ip)
    with transaction.atomic():
        verification = _get_pending(user=user, lock=True)
        issue_phone_code(verification=verification, now=timezone.now())
    return verification


def confirm_phone_verification(*, user, code: str) -> Verification:
    """Check `code` against the last one sent; the right one verifies the number.

    A number verified earlier on this account is replaced (its row expires). Raises
    NoPendingPhoneVerification, PhoneCodeExpired, PhoneCodeExhausted (no tries
    left), WrongPhoneCode (one try used) or PhoneNumberTaken.
    """
    code = "".join((code or "").split())
    failure = None
    with transaction.atomic():
        verification = _get_pending(user=user, lock=True)
        phone_code = PhoneCode.objects.filter(verification=verification).first()
        now = timezone.now()
        if phone_code is None or phone_code.expires_at <= now:
            raise PhoneCodeExpired()
        if phone_code.attempts_left <= 0:
            raise PhoneCodeExhausted()
        expected = phone_code.code_hash
        if not constant_time_compare(
            expected, hash_code(verification_id=verification.pk, code=code)
        ):
            # Kept: the failure is raised after this transaction commits.
            phone_code.attempts_left -= 1
            phone_code.save(update_fields=["attempts_left"])
            failure = (
                WrongPhoneCode(attempts_left=phone_code.attempts_left)
                if phone_code.attempts_left
                else PhoneCodeExhausted()
            )
        else:
            _mark_number_verified(verification=verification, now=now)
            phone_code.delete()
    if failure is not None:
        raise failure
    return verification


def _mark_number_verified(*, verification: Verification, now) -> None:
    if _number_taken(e164=verification.subject, user=verification.user):
        raise PhoneNumberTaken()
    Verification.objects.filter(user=verification.user, kind=PHONE, status=VERIFIED).update(
        status=Verification.Status.EXPIRED, decided_at=now
    )
    verification.status = VERIFIED
    verification.decided_at = now
    verification.expires_at = None
    try:
        with transaction.atomic():
            verification.save(update_fields=["status", "decided_at", "expires_at"])
    except IntegrityError as error:
        # Another account verified the same number a moment ago.
        raise PhoneNumberTaken() from error
    schedule_trust_recompute(user_ids=[verification.user_id])
