"""Buying coins with money: the packages on sale and each payment's life
(economy.services.payments, economy.payments for the providers)."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from economy.models.ledger import LedgerTransaction
from economy.models.subscriptions import SubscriptionLevel


class CoinPackage(models.Model):
    coins = models.PositiveIntegerField(_("coins"), validators=[MinValueValidator(1)])
    bonus_coins = models.PositiveIntegerField(_("bonus coins"), default=0)
    label = models.CharField(
        _("label"), max_length=40, blank=True, help_text=_('Optional, e.g. "Best value".')
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["position", "coins"]
        verbose_name = _("coin package")
        verbose_name_plural = _("coin packages")
        constraints = [models.CheckConstraint(condition=Q(coins__gte=1), name="package_coins")]

    def __str__(self) -> str:
        if self.bonus_coins:
            return _("%(coins)s coins + %(bonus)s bonus") % {
                "coins": self.coins,
                "bonus": self.bonus_coins,
            }
        return _("%(coins)s coins") % {"coins": self.coins}

    @property
    def total_coins(self) -> int:
        return self.coins + self.bonus_coins


class CoinPackagePrice(models.Model):
    """What a package costs in one currency; a package is sold in the currencies it
    has a price in."""

    package = models.ForeignKey(
        CoinPackage, verbose_name=_("package"), on_delete=models.CASCADE, related_name="prices"
    )
    price = MoneyField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        currency_choices=settings.CURRENCY_CHOICES,
        validators=[MinValueValidator(0.5)],
    )

    class Meta:
        ordering = ["price_currency"]
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["package", "price_currency"], name="one_price_per_currency"
            )
        ]

    def __str__(self) -> str:
        return str(self.price)


class Payment(models.Model):
    """Money paid through a provider, for coins or for a month of a creator
    subscription."""

    class Purpose(models.TextChoices):
        COINS = "coins", _("coins")
        SUBSCRIPTION = "subscription", _("creator subscription")

    class Status(models.TextChoices):
        CREATED = "created", _("created")
        PENDING = "pending", _("waiting for the payment")
        SUCCEEDED = "succeeded", _("paid")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        REFUNDED = "refunded", _("refunded")

    public_id = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    purpose = models.CharField(
        _("paid for"), max_length=16, choices=Purpose.choices, default=Purpose.COINS
    )
    package = models.ForeignKey(
        CoinPackage,
        verbose_name=_("package"),
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
    )
    subscription_creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subscription to"),
        on_delete=models.PROTECT,
        related_name="subscription_payments",
        null=True,
        blank=True,
    )
    subscription_level = models.PositiveSmallIntegerField(
        _("subscription level"), choices=SubscriptionLevel.choices, null=True, blank=True
    )
    provider = models.CharField(_("provider"), max_length=32)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CREATED
    )
    amount = MoneyField(
        _("amount"), max_digits=12, decimal_places=2, currency_choices=settings.CURRENCY_CHOICES
    )
    # The coins credited, or for a subscription the month's price in coins (what
    # the creator's share is worked out from).
    coins = models.PositiveIntegerField(_("coins"))
    # The provider's name for the checkout (Stripe session, eSewa transaction_uuid,
    # Khalti pidx) and for the money movement once there is one (payment intent,
    # eSewa ref_id, Khalti transaction_id).
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    provider_transaction_id = models.CharField(
        _("provider transaction"), max_length=255, blank=True
    )
    # A subscription checkout that asked the provider to charge again every month
    # (Stripe), and the provider's id for that recurring charge once it exists. The
    # renewals the provider reports become payments of their own with the same id.
    renews_monthly = models.BooleanField(_("renews every month"), default=False)
    provider_subscription_id = models.CharField(
        _("provider subscription"), max_length=255, blank=True
    )
    failure_code = models.CharField(_("failure code"), max_length=64, blank=True)
    credit_transaction = models.OneToOneField(
        LedgerTransaction,
        verbose_name=_("coins credited by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credited_payment",
    )
    refund_transaction = models.OneToOneField(
        LedgerTransaction,
        verbose_name=_("coins taken back by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunded_payment",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("paid"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_provider_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    purpose="coins",
                    package__isnull=False,
                    subscription_creator__isnull=True,
                    subscription_level__isnull=True,
                )
                | Q(
                    purpose="subscription",
                    package__isnull=True,
                    subscription_creator__isnull=False,
                    subscription_level__isnull=False,
                ),
                name="payment_pays_for_one_thing",
            ),
            # Paid and refunded payments are the ones that moved coins.
            models.CheckConstraint(
                condition=Q(status__in=["succeeded", "refunded"], credit_transaction__isnull=False)
                | (~Q(status__in=["succeeded", "refunded"]) & Q(credit_transaction__isnull=True)),
                name="payment_credited_when_paid",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "provider_transaction_id"]),
            models.Index(fields=["provider", "provider_subscription_id"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount} ({self.get_status_display()})"

    @property
    def is_subscription(self) -> bool:
        return self.purpose == self.Purpose.SUBSCRIPTION

    @property
    def bought(self) -> str:
        """What the payment is for, as the buyer sees it."""
        if self.is_subscription:
            return _("%(level)s month with %(creator)s") % {
                "level": SubscriptionLevel(self.subscription_level).label,
                "creator": self.subscription_creator.name,
            }
        return str(self.package)

    @property
    def provider_description(self) -> str:
        """What the provider's checkout and the buyer's statement show (English:
        providers show it as given)."""
        if self.is_subscription:
            level = SubscriptionLevel(self.subscription_level).name.replace("_", " ").title()
            return f"HaloBuzz subscription: {level} month, {self.subscription_creator.username}"
        return f"HaloBuzz coins: {self.coins}"

    @property
    def is_final(self) -> bool:
        return self.status in (
            self.Status.SUCCEEDED,
            self.Status.FAILED,
            self.Status.CANCELLED,
            self.Status.REFUNDED,
        )


class PaymentEvent(models.Model):
    """Every message about a payment: browser returns, webhooks, status checks and
    forged or unreadable callbacks (with no payment). Webhooks are deduplicated on
    the provider's event id."""

    class Source(models.TextChoices):
        REDIRECT = "redirect", _("browser return")
        WEBHOOK = "webhook", _("webhook")
        STATUS_CHECK = "status_check", _("status check")
        REFUND = "refund", _("refund")
        STAFF = "staff", _("staff")

    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    provider = models.CharField(_("provider"), max_length=32)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    provider_event_id = models.CharField(_("provider event"), max_length=255, blank=True)
    reported_status = models.CharField(_("reported status"), max_length=16, blank=True)
    outcome = models.CharField(_("outcome"), max_length=64)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_event_id"],
                condition=~Q(provider_event_id=""),
                name="payment_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.source}: {self.outcome}"
