"""Creator subscriptions (LusoTown plan): viewers support a creator monthly at one of
three levels; the creator earns their partner share (economy.services.subscriptions)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField


class SubscriptionLevel(models.IntegerChoices):
    SUPPORTER = 1, _("Supporter")
    SUPER_FAN = 2, _("Super fan")
    PATRON = 3, _("Patron")


# Coins a month for each level: about €3.99, €9.99 and €24.99 at the coin packages'
# prices (LusoTown plan).
SUBSCRIPTION_PRICE_COINS = {
    SubscriptionLevel.SUPPORTER: 400,
    SubscriptionLevel.SUPER_FAN: 1000,
    SubscriptionLevel.PATRON: 2500,
}
SUBSCRIPTION_DAYS = 30


class CreatorSubscriptionSettings(models.Model):
    """Which levels a creator offers; a creator without a row offers none."""

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="subscription_settings",
    )
    offers_supporter = models.BooleanField(_("offer Supporter"), default=True)
    offers_super_fan = models.BooleanField(_("offer Super fan"), default=True)
    offers_patron = models.BooleanField(_("offer Patron"), default=False)

    class Meta:
        verbose_name = _("subscription settings")
        verbose_name_plural = _("subscription settings")

    def __str__(self) -> str:
        return str(self.creator)

    def offered_levels(self) -> list[int]:
        flags = {
            SubscriptionLevel.SUPPORTER: self.offers_supporter,
            SubscriptionLevel.SUPER_FAN: self.offers_super_fan,
            SubscriptionLevel.PATRON: self.offers_patron,
        }
        return [level for level, offered in flags.items() if offered]


class CreatorSubscription(models.Model):
    """One viewer's subscription to one creator, extended month by month."""

    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="subscribers",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=SubscriptionLevel.choices)
    months = models.PositiveIntegerField(_("months subscribed"), default=0)
    started_at = models.DateTimeField(_("subscriber since"))
    expires_at = models.DateTimeField(_("paid until"), db_index=True)
    # The end a renewal reminder was sent for, so each end is reminded of once.
    reminded_for = models.DateTimeField(_("reminded for"), null=True, blank=True)
    # Set while a payment provider charges the subscriber every month (a Stripe
    # subscription): its name and its id for the recurring charge. Blank: the
    # subscriber renews by hand and is reminded.
    renewal_provider = models.CharField(_("renews through"), max_length=32, blank=True)
    renewal_reference = models.CharField(_("provider subscription"), max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("creator subscription")
        verbose_name_plural = _("creator subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "creator"], name="one_subscription"),
            models.CheckConstraint(
                condition=~Q(subscriber=models.F("creator")), name="no_self_subscription"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.creator} ({self.get_level_display()})"

    @property
    def renews_monthly(self) -> bool:
        return bool(self.renewal_reference)


class SubscriptionPrice(models.Model):
    """What a month at a level costs when paid with money, in one currency (staff
    set these in the admin; seeded at about €3.99, €9.99 and €24.99)."""

    level = models.PositiveSmallIntegerField(_("level"), choices=SubscriptionLevel.choices)
    price = MoneyField(
        _("price a month"),
        max_digits=12,
        decimal_places=2,
        currency_choices=settings.CURRENCY_CHOICES,
        validators=[MinValueValidator(0.5)],
    )

    class Meta:
        ordering = ["level", "price_currency"]
        verbose_name = _("subscription price")
        verbose_name_plural = _("subscription prices")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "price_currency"], name="one_subscription_price_per_currency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.price}"
