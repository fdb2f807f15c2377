"""Account deletion: the member asks (with their password, and their authenticator
code when they use one), waits out a cool-off of PRIVACY_DELETION_COOL_OFF_DAYS
during which the account works and they may cancel, and then a periodic task
anonymises the account (trust.privacy.services.erasure).

The User row is kept as a tombstone so that the ledger, payments and moderation
records keep pointing at something: money and safety history stay whole.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halobuzz.core import ratelimit
from halobuzz.core.site_urls import absolute_url
from halobuzz.users.mfa import verify_totp_code
from trust.privacy import selectors
from trust.privacy.exceptions import (
    AuthenticatorCodeNeeded,
    DeletionAlreadyScheduled,
    DeletionUnderWay,
    NoDeletionToCancel,
    PasswordNeeded,
    TooManyPasswordAttempts,
    WrongAuthenticatorCode,
    WrongPassword,
)
from trust.privacy.mail import send_member_email
from trust.privacy.models import DeletionRequest
from trust.privacy.services import erasure

logger = logging.getLogger(__name__)

# Guesses at the password (and the authenticator code) on the deletion form: this
# many per account, and per client address, in each window.
PASSWORD_ATTEMPT_WINDOW_SECONDS = 15 * 60
PASSWORD_ATTEMPTS_PER_ACCOUNT = 5
PASSWORD_ATTEMPTS_PER_ADDRESS = 20


def request_account_deletion(
    *,
    user,
    password: str,
    authenticator_code: str = "",
    client_ip: str | None = None,
    now: datetime | None = None,
) -> DeletionRequest:
    """Schedule the member's account for deletion after the cool-off; a task emails
    them after the commit.

    Each try takes a token from the account's and the client address's bucket
    before the password is checked, so the form cannot be used to guess it. An
    account with an authenticator app must also give its current code (each code
    works once).

    Raises PasswordNeeded (the account has no password to confirm with),
    TooManyPasswordAttempts, WrongPassword, AuthenticatorCodeNeeded,
    WrongAuthenticatorCode, or DeletionAlreadyScheduled.
    """
    if not user.has_usable_password():
        raise PasswordNeeded()
    _take_password_attempt(user=user, client_ip=client_ip)
    if not user.check_password(password):
        raise WrongPassword()
    if selectors.has_authenticator_app(user=user):
        if not authenticator_code.strip():
            raise AuthenticatorCodeNeeded()
        if not verify_totp_code(user=user, code=authenticator_code):
            raise WrongAuthenticatorCode()
    from trust.privacy import tasks

    now = now or timezone.now()
    try:
        with transaction.atomic():
            if selectors.get_scheduled_deletion(user=user) is not None:
                raise DeletionAlreadyScheduled()
            deletion = DeletionRequest.objects.create(
                user=user,
                scheduled_for=now + timedelta(days=settings.PRIVACY_DELETION_COOL_OFF_DAYS),
            )
            # Robust: the request is saved whatever happens to the email (the task
            # retries a failing mail server; a broker that is down is logged).
            transaction.on_commit(
                partial(tasks.email_deletion_scheduled.delay, deletion.pk), robust=True
            )
    except IntegrityError:
        # A second request of the same member got in first.
        raise DeletionAlreadyScheduled() from None
    return deletion


def _take_password_attempt(*, user, client_ip: str | None) -> None:
    """Raise TooManyPasswordAttempts when the account or the address is out of tries."""
    buckets = [(f"privacy:delete-account:user:{user.pk}", PASSWORD_ATTEMPTS_PER_ACCOUNT)]
    if client_ip:
        buckets.append((f"privacy:delete-account:ip:{client_ip}", PASSWORD_ATTEMPTS_PER_ADDRESS))
    for key, attempts in buckets:
        wait = ratelimit.consume(
            key=key, per_second=attempts / PASSWORD_ATTEMPT_WINDOW_SECONDS, burst=attempts
        )
        if wait:
            raise TooManyPasswordAttempts(seconds=wait)


@transaction.atomic
def cancel_account_deletion(*, user, now: datetime | None = None) -> DeletionRequest:
    """Cancel the member's scheduled deletion; the cancellation stays on record.

    Raises NoDeletionToCancel, or DeletionUnderWay once the cool-off has ended.
    """
    now = now or timezone.now()
    deletion = (
        DeletionRequest.objects.select_for_update()
        .filter(user=user, status=DeletionRequest.Status.SCHEDULED)
        .first()
    )
    if deletion is None:
        raise NoDeletionToCancel()
    if deletion.scheduled_for <= now:
        raise DeletionUnderWay()
    deletion.status = DeletionRequest.Status.CANCELLED
    deletion.cancelled_at = now
    deletion.save(update_fields=["status", "cancelled_at"])
    return deletion


def anonymise_account(*, deletion_id: int, now: datetime | None = None) -> DeletionRequest | None:
    """Turn the account of a due deletion request into a tombstone.

    Safe to run twice and to resume after a crash: a request that is cancelled,
    completed or not yet due is left alone, and every step only removes what is
    still there. Raises RenewalError when a payment provider could not be told to
    stop a monthly charge; nothing is anonymised then, and the next run retries.
    """
    now = now or timezone.now()
    deletion = DeletionRequest.objects.select_related("user").filter(pk=deletion_id).first()
    if deletion is None or not _is_due(deletion, now=now):
        return deletion
    user = deletion.user
    farewell = {
        "email": user.email,
        "language": user.preferred_language,
        "time_zone": user.time_zone,
        "name": user.name,
    }

    # Outside a transaction: provider calls, stream endings and files. Each step is
    # idempotent, so a crash here is repaired by the next run.
    erasure.stop_subscription_renewals(user=user)
    erasure.end_active_streams(user=user)
    erasure.delete_media(user=user)
    erasure.delete_sessions(user=user)

    with transaction.atomic():
        deletion = DeletionRequest.objects.select_for_update().get(pk=deletion_id)
        if not _is_due(deletion, now=now):
            return deletion
        erasure.delete_credentials(user=user)
        erasure.delete_personal_records(user=user)
        erasure.erase_verification_details(user=user)
        erasure.erase_security_log_details(user=user)
        erasure.scrub_user_row(user=user)
        deletion.status = DeletionRequest.Status.COMPLETED
        deletion.completed_at = now
        deletion.save(update_fields=["status", "completed_at"])
        transaction.on_commit(lambda: _email_account_deleted(**farewell))
    logger.info("privacy: account %s anonymised (deletion request %s)", user.pk, deletion.pk)
    return deletion


def _is_due(deletion: DeletionRequest, *, now: datetime) -> bool:
    return deletion.status == DeletionRequest.Status.SCHEDULED and deletion.scheduled_for <= now


def email_deletion_scheduled(*, deletion_id: int) -> bool:
    """Tell the member their account is scheduled for deletion (the task after a
    request). Nothing is sent once the request was cancelled or carried out, so a
    late retry says nothing untrue. Returns whether an email was sent; mail server
    errors are raised for the task to retry."""
    deletion = (
        DeletionRequest.objects.select_related("user")
        .filter(pk=deletion_id, status=DeletionRequest.Status.SCHEDULED)
        .first()
    )
    if deletion is None:
        return False
    user = deletion.user
    send_member_email(
        to=user.email,
        language=user.preferred_language,
        time_zone=user.time_zone,
        subject=_("Your HaloBuzz account is scheduled for deletion"),
        template="trust/privacy/email/deletion_scheduled.txt",
        context={
            "user": user,
            "deletion": deletion,
            "cool_off_days": settings.PRIVACY_DELETION_COOL_OFF_DAYS,
            "privacy_url": absolute_url(reverse("privacy:settings")),
        },
    )
    return bool(user.email)


def _email_account_deleted(*, email: str, language: str, time_zone: str, name: str) -> None:
    send_member_email(
        to=email,
        language=language,
        time_zone=time_zone,
        subject=_("Your HaloBuzz account has been deleted"),
        template="trust/privacy/email/account_deleted.txt",
        context={"name": name},
    )
