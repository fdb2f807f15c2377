"""Staff corrections: a reasoned transaction against the platform's corrections
account, never an edit of ledger rows."""

from django.utils.translation import gettext as _

from economy.exceptions import EconomyError, InsufficientFunds
from economy.models import Account, LedgerTransaction
from economy.services import ledger

REASON_MIN_LENGTH = 10


def post_adjustment(
    *, account: Account, amount: int, reason: str, staff_user, idempotency_key: str
) -> ledger.PostedTransaction:
    """Add `amount` to the account (negative takes from it) against the corrections
    account of the same asset. Raises EconomyError for a non-staff user, a zero
    amount, a reason under REASON_MIN_LENGTH characters, or an amount that would take
    a user's account below zero."""
    reason = (reason or "").strip()
    if staff_user is None or not staff_user.is_staff:
        raise EconomyError(_("Only staff can post adjustments."), code="forbidden")
    if not isinstance(amount, int) or amount == 0:
        raise EconomyError(_("Enter a non-zero whole amount."), code="invalid_amount")
    if len(reason) < REASON_MIN_LENGTH:
        raise EconomyError(
            _("Say why, in at least %(count)d characters.") % {"count": REASON_MIN_LENGTH},
            code="reason_required",
        )
    corrections = ledger.get_or_create_platform_account(
        kind=Account.Kind.CORRECTIONS, asset=account.asset
    )
    try:
        return ledger.post_transfer(
            kind=LedgerTransaction.Kind.ADJUSTMENT,
            idempotency_key=f"adjustment:{idempotency_key}",
            source=corrections,
            destination=account,
            amount=amount,
            reference_type="account",
            reference_id=str(account.pk),
            memo=reason,
            created_by=staff_user,
        )
    except InsufficientFunds as refused:
        raise EconomyError(
            _("That would take the account below zero: it holds %(available)d.")
            % {"available": refused.extra["available"]},
            code="below_zero",
        ) from refused
