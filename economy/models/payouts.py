"""Creators withdrawing their diamonds as money (economy.services.payouts)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from economy.models.ledger import LedgerTransaction


class PayoutMethod(models.Model):
    class Kind(models.TextChoices):
        BANK = "bank", _("bank account")
        ESEWA = "esewa", _("eSewa")
        KHALTI = "khalti", _("Khalti")

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="payout_methods",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    holder_name = models.CharField(_("account holder"), max_length=120)
    # Bank: the bank's name and the account number (IBAN, or number and branch);
    # wallets: the eSewa ID or Khalti mobile number.
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    account = models.CharField(_("account number or wallet ID"), max_length=64)
    currency = models.CharField(_("currency"), max_length=3, choices=settings.CURRENCY_CHOICES)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payout method")
        verbose_name_plural = _("payout methods")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ••••{self.account[-4:]} ({self.currency})"


class PayoutRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved, being paid")
        PAID = "paid", _("paid")
        REJECTED = "rejected", _("rejected")

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creator"),
        on_delete=models.PROTECT,
        related_name="payout_requests",
    )
    method = models.ForeignKey(
        PayoutMethod, verbose_name=_("paid to"), on_delete=models.PROTECT, related_name="requests"
    )
    diamonds = models.PositiveIntegerField(_("diamonds"), validators=[MinValueValidator(1)])
    amount = MoneyField(
        _("amount"), max_digits=14, decimal_places=2, currency_choices=settings.CURRENCY_CHOICES
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    reserve_transaction = models.OneToOneField(
        LedgerTransaction,
        verbose_name=_("diamonds reserved by"),
        on_delete=models.PROTECT,
        related_name="reserved_payout",
    )
    settle_transaction = models.OneToOneField(
        LedgerTransaction,
        verbose_name=_("settled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settled_payout",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    bank_reference = models.CharField(_("transfer reference"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payout request")
        verbose_name_plural = _("payout requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "approved"], settle_transaction__isnull=True)
                | Q(status__in=["paid", "rejected"], settle_transaction__isnull=False),
                name="payout_settled_when_final",
            )
        ]

    def __str__(self) -> str:
        return f"{self.creator}: {self.diamonds} diamonds → {self.amount}"
