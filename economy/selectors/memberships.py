"""Reads for memberships (OG tiers, creator subscriptions): what runs for whom, and
what the room shows for it (badges, entrances)."""

from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from economy.models import (
    SUBSCRIPTION_PRICE_COINS,
    CreatorSubscription,
    CreatorSubscriptionSettings,
    OGMembership,
    OGTier,
    SubscriptionLevel,
    SubscriptionPrice,
)
from economy.selectors.payments import get_buyer_currency, list_payment_methods


def list_og_tiers():
    return list(OGTier.objects.filter(is_active=True))


def get_running_og_membership(*, user) -> OGMembership | None:
    """The user's membership while it runs (None for visitors and lapsed members)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return running_og_memberships(user=user).select_related("tier").first()


def running_og_memberships(*, user):
    return OGMembership.objects.filter(user=user, expires_at__gt=Now())


def gift_discount_percent_expression(*, user):
    """The member's gift discount in percent (0 for none), as an expression for a
    query that reads other things too (economy.services.gifts)."""
    return Coalesce(
        Subquery(running_og_memberships(user=user).values("tier__gift_discount_percent")[:1]),
        Value(0),
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


def get_running_subscription(*, subscriber, creator) -> CreatorSubscription | None:
    if subscriber is None or not getattr(subscriber, "is_authenticated", False):
        return None
    return CreatorSubscription.objects.filter(
        subscriber=subscriber, creator=creator, expires_at__gt=timezone.now()
    ).first()


def is_subscriber(*, channel, user) -> bool:
    """Whether `user` has a running subscription to `channel` (streams.subscribers
    check, for subscribers-only chat)."""
    return get_running_subscription(subscriber=user, creator=channel) is not None


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


def get_subscription_offer(*, creator, currency: str = "") -> list[dict]:
    """The levels the creator offers, with their monthly price in coins and, given a
    currency, in money (None where staff set no price in it)."""
    offered = CreatorSubscriptionSettings.objects.filter(creator=creator).first()
    if offered is None:
        return []
    prices = {}
    if currency:
        prices = {
            row.level: row.price
            for row in SubscriptionPrice.objects.filter(price_currency=currency)
        }
    return [
        {
            "level": level,
            "label": SubscriptionLevel(level).label,
            "coins": SUBSCRIPTION_PRICE_COINS[level],
            "price": prices.get(level),
        }
        for level in offered.offered_levels()
    ]


def get_subscribe_box(*, viewer, creator) -> dict:
    """What a subscribe box shows a viewer on a creator's profile or stream: the
    levels with their prices in coins and in the viewer's currency, and the ways to
    pay that currency."""
    currency = get_buyer_currency(user=viewer)
    offer = get_subscription_offer(creator=creator, currency=currency)
    methods = (
        list_payment_methods(currency=currency)
        if any(level["price"] is not None for level in offer)
        else []
    )
    return {
        "subscription_offer": offer,
        "subscription_currency": currency,
        "subscription_payment_methods": methods,
        # The ones that can charge every month by themselves (Stripe's cards).
        "subscription_renewing_methods": [
            str(method.label) for method in methods if method.renews_monthly
        ],
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
