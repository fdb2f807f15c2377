"""Reads for memberships (OG tiers, creator subscriptions): what runs for whom, and
what the room shows for it (badges, entrances)."""

from django.utils import timezone

from economy.models import (
    SUBSCRIPTION_PRICE_COINS,
    CreatorSubscription,
    CreatorSubscriptionSettings,
    OGMembership,
    OGTier,
    SubscriptionLevel,
)


def list_og_tiers():
    return list(OGTier.objects.filter(is_active=True))


def get_running_og_membership(*, user) -> OGMembership | None:
    """The user's membership while it runs (None for visitors and lapsed members)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        OGMembership.objects.select_related("tier")
        .filter(user=user, expires_at__gt=timezone.now())
        .first()
    )


def og_badges(*, stream, user) -> list[dict]:
    """The chat badge of a running membership (streams.badges provider)."""
    membership = get_running_og_membership(user=user)
    if membership is None:
        return []
    return [{"kind": "og", "tier": membership.tier.tier, "color": membership.tier.name_color}]


def og_entrance(*, stream, user) -> dict | None:
    """The room entrance of tiers that have one (streams.entrances provider)."""
    membership = get_running_og_membership(user=user)
    if membership is None or not membership.tier.has_entry_effect:
        return None
    return {"kind": "og", "tier": membership.tier.tier, "color": membership.tier.name_color}


def get_gift_discount_percent(*, user) -> int:
    membership = get_running_og_membership(user=user)
    return membership.tier.gift_discount_percent if membership else 0


def get_running_subscription(*, subscriber, creator) -> CreatorSubscription | None:
    if subscriber is None or not getattr(subscriber, "is_authenticated", False):
        return None
    return CreatorSubscription.objects.filter(
        subscriber=subscriber, creator=creator, expires_at__gt=timezone.now()
    ).first()


def subscriber_badges(*, stream, user) -> list[dict]:
    """The subscriber badge, with months, for subscribers of the stream's host
    (streams.badges provider)."""
    subscription = get_running_subscription(subscriber=user, creator=stream.host)
    if subscription is None:
        return []
    return [{"kind": "subscriber", "months": subscription.months, "level": subscription.level}]


def list_subscribers(*, creator):
    """The creator's running subscribers, newest first."""
    return (
        CreatorSubscription.objects.filter(creator=creator, expires_at__gt=timezone.now())
        .select_related("subscriber")
        .order_by("-started_at")
    )


def get_subscription_offer(*, creator) -> list[dict]:
    """The levels the creator offers, with their monthly price in coins."""
    offered = CreatorSubscriptionSettings.objects.filter(creator=creator).first()
    if offered is None:
        return []
    return [
        {
            "level": level,
            "label": SubscriptionLevel(level).label,
            "coins": SUBSCRIPTION_PRICE_COINS[level],
        }
        for level in offered.offered_levels()
    ]


def get_subscribe_box(*, viewer, creator) -> dict:
    """What a subscribe box shows a viewer on a creator's profile or stream."""
    return {
        "subscription_offer": get_subscription_offer(creator=creator),
        "my_subscription": get_running_subscription(subscriber=viewer, creator=creator),
    }


def list_subscription_levels(*, creator) -> list[dict]:
    """Every level with its price and whether the creator offers it (settings form)."""
    offered = {offer["level"] for offer in get_subscription_offer(creator=creator)}
    return [
        {
            "level": level,
            "label": SubscriptionLevel(level).label,
            "coins": SUBSCRIPTION_PRICE_COINS[level],
            "offered": level in offered,
        }
        for level in SubscriptionLevel.values
    ]
