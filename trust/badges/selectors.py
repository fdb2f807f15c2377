"""Which badges members hold, for profiles, stream cards and chat (cached: chat asks
for every message)."""

from __future__ import annotations

from django.core.cache import cache

from trust.models import Badge, BadgeAward

BADGES_CACHE_SECONDS = 300


def _key(user_id: int) -> str:
    return f"trust:badges:{user_id}"


def list_badges(*, user) -> list[str]:
    """The badges `user` holds now, in the order of `Badge`."""
    if user is None or not user.pk:
        return []
    held = cache.get(_key(user.pk))
    if held is None:
        held = list(
            BadgeAward.objects.filter(user_id=user.pk, revoked_at__isnull=True).values_list(
                "badge", flat=True
            )
        )
        cache.set(_key(user.pk), held, BADGES_CACHE_SECONDS)
    return [badge for badge in Badge.values if badge in held]


def list_badges_for(*, user_ids) -> dict[int, list[str]]:
    """Badges of many members in one query (stream grids)."""
    held: dict[int, list[str]] = {}
    for user_id, badge in BadgeAward.objects.filter(
        user_id__in=set(user_ids), revoked_at__isnull=True
    ).values_list("user_id", "badge"):
        held.setdefault(user_id, []).append(badge)
    return {
        user_id: [badge for badge in Badge.values if badge in badges]
        for user_id, badges in held.items()
    }


def forget_badges(*, user_id: int) -> None:
    cache.delete(_key(user_id))


def chat_badges(*, stream, user) -> list[dict]:
    """Badge provider for chat (streams.badges)."""
    return [{"kind": badge} for badge in list_badges(user=user)]


def attach_badges(*, users) -> None:
    """Set `trust_badges` on each of `users` with one query, for lists of cards."""
    users = [user for user in users if user is not None]
    held = list_badges_for(user_ids=[user.pk for user in users])
    for user in users:
        user.trust_badges = held.get(user.pk, [])
