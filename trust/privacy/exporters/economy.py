"""Coins, gifts and money: read through economy's selectors where they exist (the
ledger history), otherwise from the member's own rows."""

from django.contrib.auth import get_user_model

from economy.models import (
    Asset,
    CreatorSubscription,
    Gift,
    LedgerTransaction,
    Payment,
    PayoutRequest,
)
from economy.selectors.ledger import get_wallet_summary, list_user_history
from trust.privacy.exporters import exporter


def _usernames(user_ids: set[int]) -> dict[int, str]:
    return dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))


def _gift_names(gift_ids: set[int]) -> dict[int, str]:
    return dict(Gift.objects.filter(pk__in=gift_ids).values_list("pk", "name"))


def _gift_entries(*, user, asset: str) -> list:
    """The member's ledger entries of gift transactions on one asset: coins leave the
    sender's wallet, diamonds reach the creator's earnings."""
    history = list_user_history(user=user, asset=asset, kind=LedgerTransaction.Kind.GIFT)
    return list(history.order_by("pk"))


def _describe_gifts(entries: list, *, other_party: str) -> list[dict]:
    details = [entry.transaction.details for entry in entries]
    people = _usernames({detail.get(other_party) for detail in details} - {None})
    gifts = _gift_names({detail.get("gift") for detail in details} - {None})
    return [
        {
            "transaction": entry.transaction_id,
            "at": entry.created_at,
            "gift": gifts.get(detail.get("gift"), ""),
            "quantity": detail.get("quantity"),
            "stream": detail.get("stream"),
            other_party: people.get(detail.get(other_party), ""),
            "amount": abs(entry.amount),
        }
        for entry, detail in zip(entries, details, strict=True)
    ]


@exporter("gifts_sent")
def export_gifts_sent(*, user) -> dict:
    entries = _gift_entries(user=user, asset=Asset.COINS)
    return {"unit": "coins", "gifts": _describe_gifts(entries, other_party="creator")}


@exporter("gifts_received")
def export_gifts_received(*, user) -> dict:
    entries = _gift_entries(user=user, asset=Asset.DIAMONDS)
    return {"unit": "diamonds", "gifts": _describe_gifts(entries, other_party="sender")}


@exporter("wallet")
def export_wallet(*, user) -> dict:
    """Balances now and every movement on the member's coin and diamond accounts."""
    return {
        "balances": get_wallet_summary(user=user),
        "history": [
            {
                "transaction": entry.transaction_id,
                "kind": entry.transaction.kind,
                "account": entry.account.kind,
                "asset": entry.account.asset,
                "amount": entry.amount,
                "memo": entry.transaction.memo,
                "at": entry.created_at,
            }
            for entry in list_user_history(user=user).order_by("pk").iterator()
        ],
    }


@exporter("payments")
def export_payments(*, user) -> list[dict]:
    payments = (
        Payment.objects.filter(user=user)
        .select_related("package", "subscription_creator")
        .order_by("pk")
    )
    return [
        {
            "reference": payment.public_id,
            "paid_for": payment.purpose,
            "coins": payment.coins,
            "subscription_to": (
                payment.subscription_creator.username if payment.subscription_creator else None
            ),
            "subscription_level": payment.subscription_level,
            "provider": payment.provider,
            "status": payment.status,
            "amount": str(payment.amount.amount),
            "currency": str(payment.amount.currency),
            "renews_monthly": payment.renews_monthly,
            "started_at": payment.created_at,
            "paid_at": payment.completed_at,
            "refunded_at": payment.refunded_at,
        }
        for payment in payments.iterator()
    ]


@exporter("subscriptions")
def export_subscriptions(*, user) -> list[dict]:
    subscriptions = (
        CreatorSubscription.objects.filter(subscriber=user).select_related("creator").order_by("pk")
    )
    return [
        {
            "creator": subscription.creator.username,
            "level": subscription.level,
            "months": subscription.months,
            "started_at": subscription.started_at,
            "paid_until": subscription.expires_at,
            "renews_monthly": subscription.renews_monthly,
        }
        for subscription in subscriptions
    ]


@exporter("payouts")
def export_payouts(*, user) -> list[dict]:
    # The account paid to is shown as the payout pages show it: its last four digits.
    payouts = PayoutRequest.objects.filter(creator=user).select_related("method").order_by("pk")
    return [
        {
            "diamonds": payout.diamonds,
            "amount": str(payout.amount.amount),
            "currency": str(payout.amount.currency),
            "paid_to": str(payout.method),
            "status": payout.status,
            "rejection_reason": payout.rejection_reason,
            "requested_at": payout.created_at,
            "paid_at": payout.paid_at,
        }
        for payout in payouts
    ]
