"""Creator subscriptions paid with coins, a month at a time (docs/architecture.md,
"Creator subscriptions").

A month is one database transaction: the ledger moves the coins (the subscriber's
wallet to platform revenue) and issues the creator's partner share in diamonds,
exactly as a gift does, and the subscription row is extended by 30 days from its
current end. Changing level takes effect at once and the new month is charged at the
new level's price.
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
    CreatorSubscription,
    CreatorSubscriptionSettings,
    LedgerTransaction,
    SubscriptionLevel,
)
from economy.services import earnings, ledger

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
    """Pay one month at `level`. Raises SubscriptionError (own_channel,
    level_not_offered), InsufficientFunds or CoinDebtOutstanding; a repeated key
    charges once."""
    if subscriber.pk == creator.pk:
        raise SubscriptionError(_("You cannot subscribe to yourself."), code="own_channel")
    offered = CreatorSubscriptionSettings.objects.filter(creator=creator).first()
    if offered is None or level not in offered.offered_levels():
        raise SubscriptionError(
            _("This creator does not offer that subscription."), code="level_not_offered"
        )
    coins = SUBSCRIPTION_PRICE_COINS[level]
    share = earnings.get_creator_share_percent(creator=creator)
    diamonds = earnings.diamonds_for(coins=coins, share_percent=share)
    now = timezone.now()
    with transaction.atomic():
        current = (
            CreatorSubscription.objects.select_for_update()
            .filter(subscriber=subscriber, creator=creator)
            .first()
        )
        posted = ledger.post_transaction(
            kind=LedgerTransaction.Kind.SUBSCRIPTION,
            idempotency_key=f"sub:{subscriber.pk}:{idempotency_key}",
            postings=earnings.creator_payment(
                payer=subscriber, creator=creator, coins=coins, diamonds=diamonds
            ).postings,
            reference_type="user",
            reference_id=str(creator.pk),
            memo=f"{SubscriptionLevel(level).label} month",
            details={"subscriber": subscriber.pk, "creator": creator.pk, "level": level},
        )
        if not posted.created:
            return current
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
            .exclude(reminded_for=F("expires_at"))[:500]
        )
        for subscription in due:
            subscription.reminded_for = subscription.expires_at
        CreatorSubscription.objects.bulk_update(due, ["reminded_for"])
    return due
