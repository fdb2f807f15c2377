"""Reads for a creator's earnings page: what they earned and from what, where they
are paid, and their withdrawals."""

import datetime

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from economy.models import Account, LedgerEntry, LedgerTransaction, PayoutMethod, PayoutRequest
from economy.selectors.ledger import get_wallet_summary
from economy.services.payouts import payout_amount

SOURCES = (LedgerTransaction.Kind.GIFT, LedgerTransaction.Kind.SUBSCRIPTION)


def get_earnings_summary(*, creator, days: int = 30) -> dict:
    """Diamonds now, earned in the last `days` and ever by source, and what is
    reserved for payouts in progress."""
    since = timezone.now() - datetime.timedelta(days=days)
    earned = LedgerEntry.objects.filter(
        account__owner=creator,
        account__kind=Account.Kind.CREATOR_DIAMONDS,
        transaction__kind__in=SOURCES,
        amount__gt=0,
    )
    totals = earned.aggregate(
        **{f"{kind}_all": Sum("amount", filter=Q(transaction__kind=kind)) for kind in SOURCES},
        **{
            f"{kind}_recent": Sum(
                "amount", filter=Q(transaction__kind=kind, transaction__created_at__gte=since)
            )
            for kind in SOURCES
        },
    )
    in_progress = PayoutRequest.objects.filter(
        creator=creator,
        status__in=[PayoutRequest.Status.REQUESTED, PayoutRequest.Status.APPROVED],
    ).aggregate(total=Sum("diamonds"))["total"]
    return {
        "diamonds": get_wallet_summary(user=creator)["diamonds"],
        "days": days,
        "sources": [
            {
                "kind": kind,
                "label": LedgerTransaction.Kind(kind).label,
                "recent": totals[f"{kind}_recent"] or 0,
                "all": totals[f"{kind}_all"] or 0,
            }
            for kind in SOURCES
        ],
        "in_progress": in_progress or 0,
    }


def list_payout_methods(*, creator):
    return list(PayoutMethod.objects.filter(creator=creator, removed_at__isnull=True))


def list_payout_requests(*, creator, limit: int = 20):
    return list(PayoutRequest.objects.filter(creator=creator).select_related("method")[:limit])


def list_payout_rates(*, diamonds: int) -> list[dict]:
    """The published rate in every payout currency, and what `diamonds` would pay."""
    return [
        {
            "currency": currency,
            "rate": rate,
            "value": payout_amount(diamonds=diamonds, currency=currency),
        }
        for currency, rate in settings.DIAMOND_PAYOUT_RATES.items()
    ]
