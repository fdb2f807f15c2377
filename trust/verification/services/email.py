"""The email layer mirrors allauth: an account whose address allauth marks verified
has a verified email layer for that address.

allauth's `email_confirmed`, `email_changed` and `email_removed` signals call
`sync_email_verification` (trust.verification.receivers); the overview page calls it
too, for accounts verified before this layer existed and for changes that send no
signal (staff editing addresses in the console).
"""

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone

from trust.scores.services import schedule_trust_recompute
from trust.verification.models import Verification


def _verified_address(user) -> str | None:
    """The address allauth vouches for: the primary one if verified, else any verified."""
    addresses = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "pk")
    return addresses.values_list("email", flat=True).first()


def _current_row(*, user, lock: bool = False) -> Verification | None:
    rows = Verification.objects.filter(
        user=user, kind=Verification.Kind.EMAIL, status=Verification.Status.VERIFIED
    )
    return (rows.select_for_update(no_key=True) if lock else rows).first()


def _in_step(current: Verification | None, address: str | None) -> bool:
    if current is None:
        return address is None
    return address is not None and current.subject.lower() == address.lower()


def sync_email_verification(*, user) -> Verification | None:
    """Make `user`'s email layer match allauth. Returns the verified row, or None when
    allauth has no verified address for them.

    Idempotent and cheap when nothing changed: two plain reads, no lock, no write (the
    overview page calls it on every visit). Only a change takes the row lock, checks
    again and writes: a verified row for another address (the member changed it)
    becomes expired, and so does the verified row when no address is verified any
    more; the member's trust score is then recomputed.
    """
    address = _verified_address(user)
    current = _current_row(user=user)
    if _in_step(current, address):
        return current
    with transaction.atomic():
        address = _verified_address(user)
        current = _current_row(user=user, lock=True)
        if _in_step(current, address):
            return current
        return _replace_verified_row(user=user, current=current, address=address)


def _replace_verified_row(*, user, current, address) -> Verification | None:
    """The caller holds the transaction and the lock on `current`, and has checked
    that it does not match `address`."""
    now = timezone.now()
    schedule_trust_recompute(user_ids=[user.pk])
    if current is not None:
        current.status = Verification.Status.EXPIRED
        current.decided_at = now
        current.save(update_fields=["status", "decided_at"])
    if address is None:
        return None
    try:
        with transaction.atomic():
            return Verification.objects.create(
                user=user,
                kind=Verification.Kind.EMAIL,
                status=Verification.Status.VERIFIED,
                subject=address,
                evidence={"source": "allauth"},
                decided_at=now,
            )
    except IntegrityError:
        # A concurrent sync (the confirmation signal and a page view) wrote it first.
        return Verification.objects.get(
            user=user, kind=Verification.Kind.EMAIL, status=Verification.Status.VERIFIED
        )
