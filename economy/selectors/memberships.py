"""Reads for OG membership: tiers on sale, a user's running membership, and what
the room shows for it (badge, entrance)."""

from django.utils import timezone

from economy.models import OGMembership, OGTier


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
