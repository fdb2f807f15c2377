"""The economy's admin pages: the read-only ledger with staff adjustments, the gift
catalog and coin packages, partner tiers, and payments."""

from economy.admin import catalog, ledger, payments, payouts

__all__ = ["catalog", "ledger", "payments", "payouts"]
