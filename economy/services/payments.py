"""Paying with money, for coins or a month of a creator subscription: a payment's
life from checkout to credit, refunds and chargebacks (docs/architecture.md,
"Payments").

    created -> pending -> succeeded | failed | cancelled ;  succeeded -> refunded

Browser returns, webhooks and status checks may arrive in any order, any number of
times, concurrently. Each is verified by the provider's adapter (economy.payments)
and becomes a `ProviderReport`; `record_provider_report` applies reports one at a
time under the payment's row lock, so coins are credited once (the ledger's
idempotency key `payment:<id>:credit` is the second guard). The provider is the
truth: a success reported after we marked a payment failed or cancelled (a slow
bank, an expired page paid at the last second) still credits it, but only for the
amount and currency we asked for. A refund or chargeback takes the coins back, down
to zero; the rest becomes coin debt that blocks spending until a purchase repays it.

No network call happens inside a transaction: the adapter is asked first, the
database is written after.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from economy.exceptions import PaymentError
from economy.models import (
    Account,
    Asset,
    CoinPackage,
    CoinPackagePrice,
    LedgerTransaction,
    Payment,
    PaymentEvent,
)
from economy.payments import base, registry
from economy.services import ledger, subscription_renewals, subscriptions
from trust.scores.services import schedule_trust_recompute

logger = logging.getLogger(__name__)

Status = Payment.Status
OPEN_STATUSES = (Status.CREATED, Status.PENDING)
# A late "succeeded" may still pay these.
UNPAID_STATUSES = (Status.CREATED, Status.PENDING, Status.FAILED, Status.CANCELLED)


@dataclass(frozen=True)
class StartedCheckout:
    payment: Payment
    checkout: base.CheckoutStart


def start_coin_purchase(
    *,
    user,
    package_id: int,
    provider_name: str,
    currency: str,
    absolute_url: Callable[[str], str],
) -> StartedCheckout:
    """Open a checkout for a coin package, priced in `currency`.

    `absolute_url(path)` makes the return URLs absolute (the request knows the
    host). Raises PaymentError: package_unavailable, provider_unavailable (unknown
    or cannot charge the currency), checkout_failed (the provider refused or could
    not be reached; the payment is marked failed).
    """
    package = CoinPackage.objects.filter(pk=package_id, is_active=True).first()
    price = CoinPackagePrice.objects.filter(package=package, price_currency=currency).first()
    if package is None or price is None:
        raise PaymentError(
            _("This coin package is not on sale in your currency."), code="package_unavailable"
        )
    provider = get_provider_for(provider_name=provider_name, currency=currency)
    payment = Payment.objects.create(
        user=user,
        purpose=Payment.Purpose.COINS,
        package=package,
        provider=provider.name,
        amount=price.price,
        coins=package.total_coins,
    )
    return open_checkout(payment=payment, provider=provider, absolute_url=absolute_url)


def get_provider_for(*, provider_name: str, currency: str) -> base.PaymentProvider:
    """The enabled provider by this name that charges in `currency`; raises
    PaymentError provider_unavailable."""
    try:
        provider = registry.get_provider(provider_name)
    except registry.UnknownProvider:
        provider = None
    if provider is None or currency not in provider.currencies:
        raise PaymentError(
            _("That payment method is not available for %(currency)s.") % {"currency": currency},
            code="provider_unavailable",
        )
    return provider


def open_checkout(
    *, payment: Payment, provider: base.PaymentProvider, absolute_url: Callable[[str], str]
) -> StartedCheckout:
    """Ask the provider for a checkout of a new payment and mark it pending. Raises
    PaymentError checkout_failed (the payment is marked failed)."""
    return_path = reverse("economy:payment-return", args=[payment.public_id])
    cancel_path = reverse("economy:payment-cancelled", args=[payment.public_id])
    try:
        checkout = provider.start_checkout(
            payment=payment,
            success_url=absolute_url(return_path),
            cancel_url=absolute_url(cancel_path),
        )
    except base.ProviderError as error:
        logger.warning(
            "payment %s: %s checkout failed: %s", payment.public_id, provider.name, error
        )
        Payment.objects.filter(pk=payment.pk).update(
            status=Status.FAILED, failure_code="checkout_failed"
        )
        raise PaymentError(
            _("The payment could not be started. Try again, or choose another way to pay."),
            code="checkout_failed",
        ) from error
    payment.provider_reference = checkout.provider_reference
    payment.status = Status.PENDING
    payment.save(update_fields=["provider_reference", "status", "updated_at"])
    return StartedCheckout(payment=payment, checkout=checkout)


def confirm_payment_return(*, payment: Payment, params: Mapping[str, str]) -> Payment:
    """The buyer's browser came back from the provider: verify with the provider
    and apply what it says. A forged or unreadable return is logged and changes
    nothing; an unreachable provider leaves the payment pending (the status check
    job asks again)."""
    provider = registry.get_provider(payment.provider)
    try:
        report = provider.handle_callback(payment=payment, params=params)
    except base.ForgedCallback as error:
        _log_rejected(payment.provider, PaymentEvent.Source.REDIRECT, str(error), payment=payment)
        return payment
    except base.ProviderError as error:
        logger.warning("payment %s: return not confirmed: %s", payment.public_id, error)
        return payment
    return (
        record_provider_report(
            provider_name=payment.provider, report=report, source=PaymentEvent.Source.REDIRECT
        )
        or payment
    )


def handle_provider_webhook(*, provider_name: str, body: bytes, headers) -> str:
    """A webhook delivery; returns the outcome. Raises base.ForgedCallback (after
    logging it) so the edge answers 400."""
    provider = registry.get_provider(provider_name)
    try:
        report = provider.handle_webhook(body=body, headers=headers)
    except base.ForgedCallback as error:
        _log_rejected(provider_name, PaymentEvent.Source.WEBHOOK, str(error))
        raise
    if report is None:
        return "ignored"
    if isinstance(report, base.RenewalEnded):
        subscription_renewals.end_monthly_renewal(
            provider_name=provider_name, provider_subscription_id=report.provider_subscription_id
        )
        return "renewal_ended"
    payment = record_provider_report(
        provider_name=provider_name, report=report, source=PaymentEvent.Source.WEBHOOK
    )
    return "unknown_payment" if payment is None else payment.status


def check_payment_status(*, payment: Payment) -> Payment:
    """Ask the provider about a payment (the job for ones left pending, and staff)."""
    provider = registry.get_provider(payment.provider)
    report = provider.fetch_status(payment=payment)
    return (
        record_provider_report(
            provider_name=payment.provider, report=report, source=PaymentEvent.Source.STATUS_CHECK
        )
        or payment
    )


def cancel_open_payment(*, payment: Payment) -> Payment:
    """The buyer came back through the provider's cancel link. The payment stops
    being open; should the provider still report it paid, it is credited then."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status in OPEN_STATUSES:
            payment.status = Status.CANCELLED
            payment.failure_code = "cancelled_by_buyer"
            payment.save(update_fields=["status", "failure_code", "updated_at"])
    return payment


def refund_payment(*, payment: Payment, staff_user) -> Payment:
    """Staff refund a paid payment through its provider; the coins are taken back
    when the provider confirms (at once, or by a later webhook). Raises PaymentError
    when the payment is not paid or the provider refuses."""
    if payment.status != Status.SUCCEEDED:
        raise PaymentError(_("Only a paid payment can be refunded."), code="not_refundable")
    provider = registry.get_provider(payment.provider)
    try:
        report = provider.refund(payment=payment)
    except base.ProviderError as error:
        raise PaymentError(
            _("The provider did not refund it: %(reason)s") % {"reason": error},
            code=getattr(error, "code", "refund_failed"),
        ) from error
    logger.info("payment %s refunded by %s", payment.public_id, staff_user)
    return (
        record_provider_report(
            provider_name=payment.provider, report=report, source=PaymentEvent.Source.REFUND
        )
        or payment
    )


def record_provider_report(
    *, provider_name: str, report: base.ProviderReport, source: str
) -> Payment | None:
    """Apply one verified report; returns the payment (None when no payment of ours
    matches, which is logged). A webhook event already applied is skipped."""
    with transaction.atomic():
        event = _claim_event(provider_name, report, source)
        if event is None:
            return _find_payment(provider_name, report, lock=False)
        payment = _find_payment(provider_name, report, lock=True)
        if payment is None and report.is_renewal:
            payment = subscription_renewals.renewal_payment_for(
                provider_name=provider_name, report=report
            )
        if payment is None:
            event.outcome = "unknown_payment"
            event.save(update_fields=["outcome"])
            logger.warning("%s report for no payment of ours: %s", provider_name, report)
            return None
        event.payment = payment
        event.outcome = _apply(payment, report)
        event.save(update_fields=["payment", "outcome"])
    return payment


def _claim_event(provider_name: str, report: base.ProviderReport, source: str):
    """Record the report; None when this webhook event was recorded before."""
    try:
        with transaction.atomic():
            return PaymentEvent.objects.create(
                provider=provider_name,
                source=source,
                provider_event_id=report.event_id,
                reported_status=report.status,
                outcome="received",
                detail={
                    "reference": report.provider_reference,
                    "transaction": report.provider_transaction_id,
                    "amount": str(report.amount) if report.amount is not None else None,
                    **report.detail,
                },
            )
    except IntegrityError:
        return None


def _find_payment(provider_name: str, report: base.ProviderReport, *, lock: bool):
    payments = Payment.objects.select_related("user")
    if lock:
        payments = payments.select_for_update(of=("self",))
    if report.provider_reference:
        found = payments.filter(
            provider=provider_name, provider_reference=report.provider_reference
        ).first()
        if found is not None:
            return found
    if report.provider_transaction_id:
        return payments.filter(
            provider=provider_name, provider_transaction_id=report.provider_transaction_id
        ).first()
    return None


def _apply(payment: Payment, report: base.ProviderReport) -> str:
    """Move the payment (locked by the caller) as the report says; returns the
    outcome for the event log."""
    if report.provider_transaction_id and not payment.provider_transaction_id:
        payment.provider_transaction_id = report.provider_transaction_id
        payment.save(update_fields=["provider_transaction_id", "updated_at"])
    if report.provider_subscription_id and not payment.provider_subscription_id:
        payment.provider_subscription_id = report.provider_subscription_id
        payment.save(update_fields=["provider_subscription_id", "updated_at"])
    if report.status == base.SUCCEEDED:
        return _apply_success(payment, report)
    if report.status == base.REFUNDED:
        return _apply_refund(payment)
    if report.status in (base.FAILED, base.CANCELLED):
        if payment.status not in OPEN_STATUSES:
            return "ignored_final"
        payment.status = report.status
        payment.failure_code = report.detail.get("failure_code", report.status)
        payment.save(update_fields=["status", "failure_code", "updated_at"])
        return report.status
    if payment.status == Status.CREATED:
        payment.status = Status.PENDING
        payment.save(update_fields=["status", "updated_at"])
    return "pending"


def _apply_success(payment: Payment, report: base.ProviderReport) -> str:
    if payment.status not in UNPAID_STATUSES:
        return "already_credited"
    if report.amount is None or report.amount != payment.amount:
        logger.error(
            "payment %s: provider reported %s paid, we asked %s; nothing credited",
            payment.public_id,
            report.amount,
            payment.amount,
        )
        payment.status = Status.FAILED
        payment.failure_code = "amount_mismatch"
        payment.save(update_fields=["status", "failure_code", "updated_at"])
        return "amount_mismatch"
    if payment.is_subscription:
        posted = subscriptions.pay_month_from_payment(payment=payment)
    else:
        posted = _credit_coins(payment)
    payment.credit_transaction = posted.transaction
    payment.status = Status.SUCCEEDED
    payment.failure_code = ""
    payment.completed_at = timezone.now()
    payment.save(
        update_fields=["credit_transaction", "status", "failure_code", "completed_at", "updated_at"]
    )
    return "credited"


def _credit_coins(payment: Payment) -> ledger.PostedTransaction:
    """The package's coins from the provider's clearing account into the buyer's
    wallet, repaying any coin debt first."""
    user = payment.user
    clearing = ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYMENT_CLEARING, asset=Asset.COINS, provider=payment.provider
    )
    wallet = ledger.get_or_create_user_account(user=user, kind=Account.Kind.USER_COINS)
    postings = [ledger.Posting(account=clearing, amount=-payment.coins)]
    # Locked: two purchases settling the same debt must not both repay it.
    debt = (
        Account.objects.select_for_update().filter(owner=user, kind=Account.Kind.COIN_DEBT).first()
    )
    repaid = min(payment.coins, -debt.balance) if debt is not None and debt.balance < 0 else 0
    if repaid:
        postings.append(ledger.Posting(account=debt, amount=repaid))
    if payment.coins - repaid:
        postings.append(ledger.Posting(account=wallet, amount=payment.coins - repaid))
    return ledger.post_transaction(
        kind=LedgerTransaction.Kind.COIN_PURCHASE,
        idempotency_key=f"payment:{payment.pk}:credit",
        postings=postings,
        reference_type="payment",
        reference_id=str(payment.pk),
        memo=f"{payment.coins} coins for {payment.amount} via {payment.provider}",
        details={"payment": str(payment.public_id), "debt_repaid": repaid},
    )


def _apply_refund(payment: Payment) -> str:
    if payment.status == Status.REFUNDED:
        return "already_refunded"
    if payment.status != Status.SUCCEEDED:
        # Refunded before we credited anything: nothing to take back.
        if payment.status in OPEN_STATUSES:
            payment.status = Status.CANCELLED
            payment.failure_code = "refunded_before_credit"
            payment.save(update_fields=["status", "failure_code", "updated_at"])
        return "refund_without_credit"
    if payment.is_subscription:
        posted = subscriptions.take_back_paid_month(payment=payment)
    else:
        posted = take_back_coins(
            user=payment.user,
            coins=payment.coins,
            clearing_provider=payment.provider,
            idempotency_key=f"payment:{payment.pk}:refund",
            reference_id=str(payment.pk),
        )
    payment.refund_transaction = posted.transaction
    payment.status = Status.REFUNDED
    payment.refunded_at = timezone.now()
    payment.save(update_fields=["refund_transaction", "status", "refunded_at", "updated_at"])
    # A refund or chargeback lowers the buyer's financial trust.
    schedule_trust_recompute(user_ids=[payment.user_id])
    return "refunded"


def take_back_coins(
    *, user, coins: int, clearing_provider: str, idempotency_key: str, reference_id: str
) -> ledger.PostedTransaction:
    """Return `coins` to the provider's clearing account: what the wallet holds,
    and the rest as coin debt. The wallet row is locked first, so a gift cannot
    spend the coins between reading the balance and taking it."""
    with transaction.atomic():
        wallet = ledger.get_or_create_user_account(user=user, kind=Account.Kind.USER_COINS)
        held = (
            Account.objects.select_for_update().values_list("balance", flat=True).get(pk=wallet.pk)
        )
        taken = min(held, coins)
        clearing = ledger.get_or_create_platform_account(
            kind=Account.Kind.PAYMENT_CLEARING, asset=Asset.COINS, provider=clearing_provider
        )
        postings = [ledger.Posting(account=clearing, amount=coins)]
        if taken:
            postings.append(ledger.Posting(account=wallet, amount=-taken))
        if coins - taken:
            debt = ledger.get_or_create_user_account(user=user, kind=Account.Kind.COIN_DEBT)
            postings.append(ledger.Posting(account=debt, amount=-(coins - taken)))
        return ledger.post_transaction(
            kind=LedgerTransaction.Kind.REFUND,
            idempotency_key=idempotency_key,
            postings=postings,
            reference_type="payment",
            reference_id=reference_id,
            memo=f"{coins} coins taken back ({coins - taken} owed)",
            details={"taken": taken, "owed": coins - taken},
        )


def _log_rejected(provider_name: str, source: str, reason: str, *, payment=None) -> None:
    logger.warning("rejected %s %s: %s", provider_name, source, reason)
    PaymentEvent.objects.create(
        payment=payment,
        provider=provider_name,
        source=source,
        outcome="rejected",
        detail={"reason": reason[:500]},
    )
