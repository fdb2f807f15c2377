"""The ledger's invariants, checked from its rows (`manage.py audit_ledger`, and nightly
by Celery beat). Reads only.

Later parts of the economy (payments, payouts) add their checks to `CHECKS`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from economy.models import Account, LedgerEntry, LedgerTransaction

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


CHECKS: dict[str, Callable[[], list[str]]] = {
    "a transaction does not sum to zero per asset": _unbalanced_transactions,
    "a transaction has fewer than two entries": _transactions_with_fewer_than_two_entries,
    "a cached balance differs from its rolled-up entries": _cached_balances_off_their_entries,
    "a wallet or earnings account is below zero": _accounts_below_zero,
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
