"""The ledger's invariants, checked from its rows (`manage.py audit_ledger`, and nightly
by Celery beat). Reads only.

Each part of the economy adds its checks to `CHECKS`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from economy.models import Account, Asset, LedgerEntry, LedgerTransaction, Payment

# How many examples of one breach a report lists.
EXAMPLES = 20


@dataclass
class AuditReport:
    counts: dict[str, int] = field(default_factory=dict)
    breaches: dict[str, list[str]] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.breaches

    def as_text(self) -> str:
        lines = [
            "checked {transactions} transactions, {entries} entries, {accounts} accounts".format(
                **self.counts
            )
        ]
        for check, problems in self.breaches.items():
            lines.append(f"BREACH: {check} ({len(problems)} shown)")
            lines.extend(f"  {problem}" for problem in problems)
        lines.append("ledger clean: every invariant holds" if self.clean else "LEDGER BREACHED")
        return "\n".join(lines)


def _unbalanced_transactions() -> list[str]:
    rows = (
        LedgerEntry.objects.values("transaction_id", "account__asset")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transaction_id")[:EXAMPLES]
    )
    return [
        f"transaction #{row['transaction_id']}: {row['account__asset']} sum to {row['total']:+d}"
        for row in rows
    ]


def _transactions_with_fewer_than_two_entries() -> list[str]:
    rows = (
        LedgerTransaction.objects.annotate(entry_count=Count("entries"))
        .filter(entry_count__lt=2)
        .order_by("pk")
        .values_list("pk", "entry_count")[:EXAMPLES]
    )
    return [f"transaction #{pk}: {count} entries" for pk, count in rows]


def _cached_balances_off_their_entries() -> list[str]:
    rows = (
        Account.objects.annotate(
            rolled_up_total=Sum("entries__amount", filter=Q(entries__rolled_up=True), default=0)
        )
        .exclude(balance=F("rolled_up_total"))
        .order_by("pk")
        .values_list("pk", "balance", "rolled_up_total")[:EXAMPLES]
    )
    return [
        f"account #{pk}: cached {balance}, its rolled-up entries sum to {total}"
        for pk, balance, total in rows
    ]


def _accounts_below_zero() -> list[str]:
    rows = (
        Account.objects.filter(may_go_negative=False)
        .annotate(total=Sum("entries__amount", default=0))
        .filter(total__lt=0)
        .order_by("pk")
        .values_list("pk", "total")[:EXAMPLES]
    )
    return [f"account #{pk}: balance {total}" for pk, total in rows]


PAID = (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED)
# What a paid payment posts: coins bought, or a subscription month paid with money
# (whose reference is the payment; a month paid with coins refers to the creator).
PAYMENT_CREDIT_KINDS = (LedgerTransaction.Kind.COIN_PURCHASE, LedgerTransaction.Kind.SUBSCRIPTION)


def _paid_payments_not_credited_once() -> list[str]:
    """A paid (or later refunded) payment has exactly one credit (its coins, or its
    subscription month), and it is the one the payment points to."""
    purchases = LedgerTransaction.objects.filter(kind__in=PAYMENT_CREDIT_KINDS)
    counts = dict(
        purchases.filter(reference_type="payment")
        .values_list("reference_id")
        .annotate(count=Count("pk"))
        .values_list("reference_id", "count")
    )
    problems = []
    for payment in Payment.objects.filter(status__in=PAID).order_by("pk").iterator():
        credited = counts.get(str(payment.pk), 0)
        if credited != 1 or payment.credit_transaction_id is None:
            problems.append(f"payment {payment.public_id}: paid, credited {credited} times")
        if len(problems) >= EXAMPLES:
            break
    return problems


def _purchases_without_a_paid_payment() -> list[str]:
    paid_ids = {
        str(pk) for pk in Payment.objects.filter(status__in=PAID).values_list("pk", flat=True)
    }
    rows = (
        LedgerTransaction.objects.filter(
            Q(kind=LedgerTransaction.Kind.COIN_PURCHASE)
            | Q(kind=LedgerTransaction.Kind.SUBSCRIPTION, reference_type="payment")
        )
        .order_by("pk")
        .values_list("pk", "reference_type", "reference_id")
    )
    return [
        f"transaction #{pk}: credited for {reference_type} {reference_id}, not a paid payment"
        for pk, reference_type, reference_id in rows
        if reference_type != "payment" or reference_id not in paid_ids
    ][:EXAMPLES]


def _credits_of_the_wrong_size() -> list[str]:
    rows = (
        Payment.objects.filter(status__in=PAID)
        .annotate(
            credited=Sum(
                "credit_transaction__entries__amount",
                filter=Q(
                    credit_transaction__entries__amount__gt=0,
                    credit_transaction__entries__account__asset=Asset.COINS,
                ),
                default=0,
            )
        )
        .exclude(credited=F("coins"))
        .order_by("pk")
        .values_list("public_id", "coins", "credited")[:EXAMPLES]
    )
    return [
        f"payment {public_id}: {coins} coins, {credited} credited"
        for public_id, coins, credited in rows
    ]


CHECKS: dict[str, Callable[[], list[str]]] = {
    "a transaction does not sum to zero per asset": _unbalanced_transactions,
    "a transaction has fewer than two entries": _transactions_with_fewer_than_two_entries,
    "a cached balance differs from its rolled-up entries": _cached_balances_off_their_entries,
    "a wallet or earnings account is below zero": _accounts_below_zero,
    "a paid payment is not credited exactly once": _paid_payments_not_credited_once,
    "coins or a month were credited without a paid payment": _purchases_without_a_paid_payment,
    "a payment's credit is not its coins": _credits_of_the_wrong_size,
}


def audit_ledger() -> AuditReport:
    report = AuditReport(
        counts={
            "transactions": LedgerTransaction.objects.count(),
            "entries": LedgerEntry.objects.count(),
            "accounts": Account.objects.count(),
        }
    )
    for name, check in CHECKS.items():
        problems = check()
        if problems:
            report.breaches[name] = problems
    return report
