"""The ledger: the only record of value on HaloBuzz (docs/architecture.md, "The ledger").

Value is a whole number of an asset's smallest unit: coins (bought with money,
spent on gifts, memberships and games) and diamonds (what creators earn and withdraw).
Every movement is one `LedgerTransaction` whose `LedgerEntry` rows sum to zero per
asset; rows are never edited or deleted (a correction is another transaction).

An `Account`'s `balance` is a cache: the sum of its entries that have been *rolled
up*. Only a debit of an account that must not go negative touches the account row
(a conditional UPDATE, so two spends cannot both take the last coin). Every other
entry — credits, and debits of platform accounts — is appended with
`rolled_up=False` and folded into the balance later, so a creator receiving
thousands of gifts a minute, or the platform account every gift pays into, is never
a row that each gift must lock.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Asset(models.TextChoices):
    COINS = "coins", _("coins")
    DIAMONDS = "diamonds", _("diamonds")


class Account(models.Model):
    class Kind(models.TextChoices):
        USER_COINS = "user_coins", _("coin wallet")
        CREATOR_DIAMONDS = "creator_diamonds", _("diamond earnings")
        PLATFORM_REVENUE = "platform_revenue", _("platform revenue")
        DIAMOND_ISSUANCE = "diamond_issuance", _("diamond issuance")
        PAYMENT_CLEARING = "payment_clearing", _("payment clearing")
        PROMOTIONS = "promotions", _("promotions and rewards")
        GAMES = "games", _("games")
        PAYOUTS_PENDING = "payouts_pending", _("payouts pending")
        CORRECTIONS = "corrections", _("staff corrections")
        # What a user owes after a refund or chargeback took back coins already
        # spent: the one user account that goes below zero, and it blocks spending.
        COIN_DEBT = "coin_debt", _("coin debt")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    asset = models.CharField(_("asset"), max_length=16, choices=Asset.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        null=True,
        blank=True,
    )
    # Payment clearing has one account per provider ("stripe", "esewa", ...).
    provider = models.CharField(_("provider"), max_length=32, blank=True)
    may_go_negative = models.BooleanField(
        _("may go negative"),
        default=False,
        help_text=_("Platform accounts may; a user's wallet or earnings never do."),
    )
    balance = models.BigIntegerField(
        _("rolled-up balance"),
        default=0,
        help_text=_("Entries not yet rolled up are added to this when it is read."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            # Two partial constraints rather than nulls_distinct=False, which SQLite
            # (the embedded set-up) does not enforce.
            models.UniqueConstraint(
                fields=["kind", "asset", "owner", "provider"],
                condition=Q(owner__isnull=False),
                name="ledger_user_account_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "asset", "provider"],
                condition=Q(owner__isnull=True),
                name="ledger_platform_account_unique",
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(may_go_negative=True),
                name="ledger_account_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(may_go_negative=False) | Q(kind="coin_debt"),
                name="ledger_user_account_never_negative",
            ),
        ]

    def __str__(self):
        who = self.owner.username if self.owner_id else "HaloBuzz"
        provider = f" ({self.provider})" if self.provider else ""
        return f"{who}: {self.get_kind_display()}{provider} [{self.asset}]"


class LedgerTransaction(models.Model):
    class Kind(models.TextChoices):
        COIN_PURCHASE = "coin_purchase", _("coin purchase")
        GIFT = "gift", _("gift")
        MEMBERSHIP = "membership", _("membership")
        SUBSCRIPTION = "subscription", _("subscription")
        REWARD = "reward", _("reward")
        GAME = "game", _("game")
        REFUND = "refund", _("refund")
        DEBT_REPAYMENT = "debt_repayment", _("coin debt repaid")
        PAYOUT_REQUEST = "payout_request", _("payout request")
        PAYOUT_PAID = "payout_paid", _("payout paid")
        PAYOUT_REJECTED = "payout_rejected", _("payout rejected")
        ADJUSTMENT = "adjustment", _("staff adjustment")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    # What caused it, e.g. ("payment", "42") or ("gift", "stream:7").
    reference_type = models.CharField(_("reference type"), max_length=40, blank=True)
    reference_id = models.CharField(_("reference"), max_length=64, blank=True)
    memo = models.TextField(_("memo"), blank=True)
    # Facts about the cause that readers need without a join, e.g. a gift's
    # {"gift": 3, "quantity": 5, "stream": 7, "creator": 12}.
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        indexes = [models.Index(fields=["reference_type", "reference_id"])]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction,
        verbose_name=_("transaction"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.BigIntegerField(_("amount"))
    rolled_up = models.BooleanField(_("in the account's balance"), default=False)
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero")]
        indexes = [
            models.Index(fields=["account", "-id"], name="ledger_entry_history"),
            models.Index(
                fields=["account"],
                condition=Q(rolled_up=False),
                name="ledger_entry_pending",
            ),
        ]

    def __str__(self):
        return f"{self.amount:+d} {self.account}"
