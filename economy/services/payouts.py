"""Creators withdrawing diamonds (docs/architecture.md, "Payouts").

    requested -> approved -> paid ;  requested | approved -> rejected

A request reserves its diamonds at once: one ledger transaction moves them from the
creator's earnings into the payouts-pending account, so they can be neither spent
twice nor requested twice. Paying retires them (back to diamond issuance: they
leave circulation as money leaves the bank); rejecting returns them to the creator.
Each step is one transaction with its own idempotency key, under the request's row
lock, so a double click or two staff members at once move nothing twice.
"""

from decimal import ROUND_DOWN, Decimal

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from moneyed import Money

from economy.exceptions import EconomyError
from economy.models import Account, Asset, LedgerTransaction, PayoutMethod, PayoutRequest
from economy.services import ledger
from halobuzz.users.mfa import verify_totp_code
from trust.audit.models import AuditEvent
from trust.audit.services import record_audit_event
from trust.verification.selectors import is_payout_eligible

WALLET_CURRENCY = "NPR"  # eSewa and Khalti pay in rupees only
Status = PayoutRequest.Status


class PayoutError(EconomyError):
    pass


def payout_amount(*, diamonds: int, currency: str) -> Money:
    """What `diamonds` pay out in `currency` at the published rate, rounded down to
    the cent."""
    rate = Decimal(settings.DIAMOND_PAYOUT_RATES[currency])
    return Money((rate * diamonds).quantize(Decimal("0.01"), rounding=ROUND_DOWN), currency)


def add_payout_method(
    *, creator, kind: str, holder_name: str, account: str, currency: str, bank_name: str = ""
) -> PayoutMethod:
    """Save where a creator is paid. Wallets (eSewa, Khalti) pay in NPR; a bank
    account needs the bank's name."""
    if kind in (PayoutMethod.Kind.ESEWA, PayoutMethod.Kind.KHALTI) and currency != WALLET_CURRENCY:
        raise PayoutError(
            _("eSewa and Khalti pay out in Nepalese rupees only."), code="wallet_currency"
        )
    if kind == PayoutMethod.Kind.BANK and not bank_name.strip():
        raise PayoutError(_("Enter the name of the bank."), code="bank_name_required")
    if currency not in settings.DIAMOND_PAYOUT_RATES:
        raise PayoutError(_("Payouts are not offered in that currency."), code="currency")
    return PayoutMethod.objects.create(
        creator=creator,
        kind=kind,
        holder_name=holder_name.strip(),
        bank_name=bank_name.strip(),
        account=account.strip(),
        currency=currency,
    )


def remove_payout_method(*, creator, method_id: int) -> None:
    PayoutMethod.objects.filter(pk=method_id, creator=creator, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )


def request_payout(
    *, creator, diamonds: int, method_id: int, mfa_code: str, idempotency_key: str
) -> PayoutRequest:
    """Reserve `diamonds` for a withdrawal to one of the creator's payout methods.

    Raises PayoutError: identity_not_verified, mfa_required, mfa_invalid,
    below_minimum, unknown_method; InsufficientFunds when the earnings are short.
    A repeat of the key (a double click) returns the first request. A new request
    lands in the creator's security log in the same transaction.
    """
    key = f"payout:{creator.pk}:{idempotency_key}"
    earlier = PayoutRequest.objects.filter(reserve_transaction__idempotency_key=key).first()
    if earlier is not None:
        return earlier
    if not is_payout_eligible(user=creator):
        raise PayoutError(
            _("Verify your identity before withdrawing, on the Trust & verification page."),
            code="identity_not_verified",
        )
    if not is_mfa_enabled(creator, types=[Authenticator.Type.TOTP]):
        raise PayoutError(
            _(
                "Withdrawals need two-factor authentication. Set up an authenticator app "
                "in your account's security settings, then try again."
            ),
            code="mfa_required",
            extra={"setup_url": reverse("mfa_index")},
        )
    if not mfa_code:
        raise PayoutError(
            _("Turn on two-factor authentication and enter its code to withdraw."),
            code="mfa_required",
        )
    if not verify_totp_code(user=creator, code=mfa_code):
        raise PayoutError(_("That authentication code is not right."), code="mfa_invalid")
    if diamonds < settings.PAYOUT_MINIMUM_DIAMONDS:
        raise PayoutError(
            _("The smallest withdrawal is %(minimum)s diamonds.")
            % {"minimum": settings.PAYOUT_MINIMUM_DIAMONDS},
            code="below_minimum",
            extra={"minimum": settings.PAYOUT_MINIMUM_DIAMONDS},
        )
    method = PayoutMethod.objects.filter(
        pk=method_id, creator=creator, removed_at__isnull=True
    ).first()
    if method is None:
        raise PayoutError(_("Choose one of your payout methods."), code="unknown_method")
    earnings = ledger.get_or_create_user_account(user=creator, kind=Account.Kind.CREATOR_DIAMONDS)
    pending = _payouts_pending()
    with transaction.atomic():
        posted = ledger.post_transfer(
            kind=LedgerTransaction.Kind.PAYOUT_REQUEST,
            idempotency_key=key,
            source=earnings,
            destination=pending,
            amount=diamonds,
            reference_type="user",
            reference_id=str(creator.pk),
            memo=f"{diamonds} diamonds to {method}",
        )
        if not posted.created:
            return PayoutRequest.objects.get(reserve_transaction=posted.transaction)
        payout = PayoutRequest.objects.create(
            creator=creator,
            method=method,
            diamonds=diamonds,
            amount=payout_amount(diamonds=diamonds, currency=method.currency),
            reserve_transaction=posted.transaction,
        )
        record_audit_event(
            user=creator,
            kind=AuditEvent.Kind.PAYOUT_REQUESTED,
            actor=creator,
            details={
                "payout_id": payout.pk,
                "diamonds": diamonds,
                "amount": str(payout.amount.amount),
                "currency": method.currency,
                "method": str(method),
            },
        )
        return payout


def approve_payout(*, payout_id: int, staff_user) -> PayoutRequest:
    with transaction.atomic():
        payout = _locked(payout_id)
        if payout.status != Status.REQUESTED:
            raise PayoutError(_("Only a new request can be approved."), code="not_requested")
        payout.status = Status.APPROVED
        payout.reviewed_by = staff_user
        payout.reviewed_at = timezone.now()
        payout.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return payout


def mark_payout_paid(*, payout_id: int, staff_user, bank_reference: str = "") -> PayoutRequest:
    """The money left the bank: retire the reserved diamonds."""
    with transaction.atomic():
        payout = _locked(payout_id)
        if payout.status != Status.APPROVED:
            raise PayoutError(_("Approve a request before marking it paid."), code="not_approved")
        posted = ledger.post_transfer(
            kind=LedgerTransaction.Kind.PAYOUT_PAID,
            idempotency_key=f"payout-settle:{payout.pk}",
            source=_payouts_pending(),
            destination=ledger.get_or_create_platform_account(
                kind=Account.Kind.DIAMOND_ISSUANCE, asset=Asset.DIAMONDS
            ),
            amount=payout.diamonds,
            reference_type="payout",
            reference_id=str(payout.pk),
            created_by=staff_user,
            memo=bank_reference,
        )
        payout.status = Status.PAID
        payout.settle_transaction = posted.transaction
        payout.bank_reference = bank_reference
        payout.paid_at = timezone.now()
        payout.save(update_fields=["status", "settle_transaction", "bank_reference", "paid_at"])
    return payout


def reject_payout(*, payout_id: int, staff_user, reason: str) -> PayoutRequest:
    """Refuse a request; its diamonds go back to the creator's earnings."""
    if len(reason.strip()) < 5:
        raise PayoutError(_("Say why, so the creator can put it right."), code="reason_required")
    with transaction.atomic():
        payout = _locked(payout_id)
        if payout.status not in (Status.REQUESTED, Status.APPROVED):
            raise PayoutError(_("This request is already settled."), code="already_settled")
        posted = ledger.post_transfer(
            kind=LedgerTransaction.Kind.PAYOUT_REJECTED,
            idempotency_key=f"payout-settle:{payout.pk}",
            source=_payouts_pending(),
            destination=ledger.get_or_create_user_account(
                user=payout.creator, kind=Account.Kind.CREATOR_DIAMONDS
            ),
            amount=payout.diamonds,
            reference_type="payout",
            reference_id=str(payout.pk),
            created_by=staff_user,
            memo=reason.strip(),
        )
        payout.status = Status.REJECTED
        payout.settle_transaction = posted.transaction
        payout.rejection_reason = reason.strip()
        payout.reviewed_by = staff_user
        payout.reviewed_at = timezone.now()
        payout.save(
            update_fields=[
                "status",
                "settle_transaction",
                "rejection_reason",
                "reviewed_by",
                "reviewed_at",
            ]
        )
    return payout


def _locked(payout_id: int) -> PayoutRequest:
    return PayoutRequest.objects.select_for_update().select_related("creator").get(pk=payout_id)


def _payouts_pending() -> Account:
    return ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYOUTS_PENDING, asset=Asset.DIAMONDS
    )
