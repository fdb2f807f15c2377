"""Creator subscriptions, a month at a time, paid with coins or with money through a
payment provider (docs/architecture.md, "Creator subscriptions").

A month is one database transaction: the ledger moves the coins (the subscriber's
wallet, or the provider's clearing account for a month paid with money, to platform
revenue) and issues the creator's partner share in diamonds, exactly as a gift does,
and the subscription row is extended by 30 days from its current end. Changing level
takes effect at once and the new month is charged at the new level's price.

With a provider that can charge every month (Stripe) the subscriber may let it
renew the subscription by itself (economy.services.subscription_renewals); otherwise
money payments are one month at a time, and the renewal reminder sends the
subscriber back to pay the next month, with coins or money.
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from economy.exceptions import EconomyError
from economy.models import (
    SUBSCRIPTION_DAYS,
    SUBSCRIPTION_PRICE_COINS,
    Account,
    Asset,
    CreatorSubscription,
    CreatorSubscriptionSettings,
    LedgerTransaction,
    Payment,
    SubscriptionLevel,
    SubscriptionPrice,
)
from economy.services import earnings, ledger, payments, subscription_renewals

# Subscribers hear about a coming end this long before it.
REMINDER_BEFORE = datetime.timedelta(days=3)


class SubscriptionError(EconomyError):
    pass


def save_subscription_settings(*, creator, levels: list[int]) -> CreatorSubscriptionSettings:
    """The levels the creator offers from now on (existing subscribers keep theirs
    until they end)."""
    chosen = set(levels)
    subscription_settings, _ = CreatorSubscriptionSettings.objects.update_or_create(
        creator=creator,
        defaults={
            "offers_supporter": SubscriptionLevel.SUPPORTER in chosen,
            "offers_super_fan": SubscriptionLevel.SUPER_FAN in chosen,
            "offers_patron": SubscriptionLevel.PATRON in chosen,
        },
    )
    return subscription_settings


def subscribe_with_coins(
    *, subscriber, creator, level: int, idempotency_key: str
) -> CreatorSubscription:
    """Pay one month at `level` with coins. Raises SubscriptionError (own_channel,
    level_not_offered), InsufficientFunds or CoinDebtOutstanding; a repeated key
    charges once."""
    ensure_level_offered(subscriber=subscriber, creator=creator, level=level)
    coins = SUBSCRIPTION_PRICE_COINS[level]
    with transaction.atomic():
        current = _lock_subscription(subscriber=subscriber, creator=creator)
        posted = ledger.post_transaction(
            kind=LedgerTransaction.Kind.SUBSCRIPTION,
            idempotency_key=f"sub:{subscriber.pk}:{idempotency_key}",
            postings=earnings.creator_payment(
                payer_id=subscriber.pk,
                creator_id=creator.pk,
                coins=coins,
                diamonds=_creator_diamonds(creator=creator, coins=coins),
            ).postings,
            reference_type="user",
            reference_id=str(creator.pk),
            memo=f"{SubscriptionLevel(level).label} month",
            details={"subscriber": subscriber.pk, "creator": creator.pk, "level": level},
        )
        if not posted.created:
            return current
        return _add_month(current, subscriber=subscriber, creator=creator, level=level)


def start_subscription_checkout(
    *,
    subscriber,
    creator,
    level: int,
    provider_name: str,
    currency: str,
    absolute_url,
    renews_monthly: bool = False,
) -> "payments.StartedCheckout":
    """Open a checkout for one month at `level`, priced in `currency`; the month is
    added when the provider confirms the payment (economy.services.payments). With
    `renews_monthly`, a provider that can (Stripe) charges every month after it
    until stopped; others charge the one month. Raises SubscriptionError
    (own_channel, level_not_offered, price_unavailable) or PaymentError
    (provider_unavailable, checkout_failed)."""
    ensure_level_offered(subscriber=subscriber, creator=creator, level=level)
    price = SubscriptionPrice.objects.filter(level=level, price_currency=currency).first()
    if price is None:
        raise SubscriptionError(
            _("This subscription cannot be paid in %(currency)s.") % {"currency": currency},
            code="price_unavailable",
        )
    provider = payments.get_provider_for(provider_name=provider_name, currency=currency)
    payment = Payment.objects.create(
        user=subscriber,
        purpose=Payment.Purpose.SUBSCRIPTION,
        subscription_creator=creator,
        subscription_level=level,
        provider=provider.name,
        amount=price.price,
        coins=SUBSCRIPTION_PRICE_COINS[level],
        renews_monthly=renews_monthly and provider.renews_monthly,
    )
    return payments.open_checkout(payment=payment, provider=provider, absolute_url=absolute_url)


def pay_month_from_payment(*, payment: Payment) -> ledger.PostedTransaction:
    """A subscription payment the provider confirmed (called under the payment's
    row lock): the money is the platform's revenue, the creator earns their share
    in diamonds as from coins, and the subscription gets its month. The level is
    the one paid for, even if the creator stopped offering it meanwhile."""
    subscriber, creator = payment.user, payment.subscription_creator
    clearing = ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYMENT_CLEARING, asset=Asset.COINS, provider=payment.provider
    )
    share = earnings.creator_payment(
        payer_id=subscriber.pk,
        creator_id=creator.pk,
        coins=payment.coins,
        diamonds=_creator_diamonds(creator=creator, coins=payment.coins),
    ).postings
    # The wallet's leg becomes the provider's clearing account: money, not coins,
    # paid for this month.
    postings = [ledger.Posting(account=clearing, amount=-payment.coins), *share[1:]]
    current = _lock_subscription(subscriber=subscriber, creator=creator)
    posted = ledger.post_transaction(
        kind=LedgerTransaction.Kind.SUBSCRIPTION,
        idempotency_key=f"payment:{payment.pk}:credit",
        postings=postings,
        reference_type="payment",
        reference_id=str(payment.pk),
        memo=f"{SubscriptionLevel(payment.subscription_level).label} month for {payment.amount}",
        details={
            "subscriber": subscriber.pk,
            "creator": creator.pk,
            "level": payment.subscription_level,
            "payment": str(payment.public_id),
        },
    )
    if posted.created:
        subscription = _add_month(
            current, subscriber=subscriber, creator=creator, level=payment.subscription_level
        )
        subscription_renewals.remember_monthly_renewal(subscription=subscription, payment=payment)
    return posted


def take_back_paid_month(*, payment: Payment) -> ledger.PostedTransaction:
    """A refunded or charged-back subscription payment: the money goes back out of
    platform revenue and the month comes off the subscription. The creator keeps
    the diamonds already earned (they may have been withdrawn); the platform
    carries the loss."""
    clearing = ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYMENT_CLEARING, asset=Asset.COINS, provider=payment.provider
    )
    revenue = ledger.get_or_create_platform_account(
        kind=Account.Kind.PLATFORM_REVENUE, asset=Asset.COINS
    )
    current = _lock_subscription(subscriber=payment.user, creator=payment.subscription_creator)
    posted = ledger.post_transfer(
        kind=LedgerTransaction.Kind.REFUND,
        idempotency_key=f"payment:{payment.pk}:refund",
        source=revenue,
        destination=clearing,
        amount=payment.coins,
        reference_type="payment",
        reference_id=str(payment.pk),
        memo=f"subscription month refunded ({payment.amount})",
        details={"subscription_refund": True},
    )
    if posted.created and current is not None:
        now = timezone.now()
        if current.expires_at > now:
            month = datetime.timedelta(days=SUBSCRIPTION_DAYS)
            current.expires_at = max(current.expires_at - month, now)
        current.months = max(current.months - 1, 0)
        current.save(update_fields=["expires_at", "months"])
    return posted


def ensure_level_offered(*, subscriber, creator, level: int) -> None:
    if subscriber.pk == creator.pk:
        raise SubscriptionError(_("You cannot subscribe to yourself."), code="own_channel")
    offered = CreatorSubscriptionSettings.objects.filter(creator=creator).first()
    if offered is None or level not in offered.offered_levels():
        raise SubscriptionError(
            _("This creator does not offer that subscription."), code="level_not_offered"
        )


def _creator_diamonds(*, creator, coins: int) -> int:
    share = earnings.get_creator_share_percent(creator=creator)
    return earnings.diamonds_for(coins=coins, share_percent=share)


def _lock_subscription(*, subscriber, creator) -> CreatorSubscription | None:
    return (
        CreatorSubscription.objects.select_for_update()
        .filter(subscriber=subscriber, creator=creator)
        .first()
    )


def _add_month(current, *, subscriber, creator, level: int) -> CreatorSubscription:
    """Extend the (locked) subscription by a month from its end, or from now when it
    has lapsed, at `level`; or start one."""
    now = timezone.now()
    month = datetime.timedelta(days=SUBSCRIPTION_DAYS)
    if current is None:
        return CreatorSubscription.objects.create(
            subscriber=subscriber,
            creator=creator,
            level=level,
            months=1,
            started_at=now,
            expires_at=now + month,
        )
    running = current.expires_at > now
    current.expires_at = (current.expires_at if running else now) + month
    current.level = level
    current.months += 1
    current.save(update_fields=["expires_at", "level", "months"])
    return current


def list_subscriptions_to_remind(*, now=None) -> list[CreatorSubscription]:
    """Running subscriptions ending within REMINDER_BEFORE whose end has not been
    reminded of yet; marks them reminded."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            CreatorSubscription.objects.select_for_update(skip_locked=True)
            .select_related("subscriber", "creator")
            .filter(expires_at__gt=now, expires_at__lte=now + REMINDER_BEFORE)
            # The provider renews these by itself.
            .filter(renewal_reference="")
            .exclude(reminded_for=F("expires_at"))[:500]
        )
        for subscription in due:
            subscription.reminded_for = subscription.expires_at
        CreatorSubscription.objects.bulk_update(due, ["reminded_for"])
    return due
