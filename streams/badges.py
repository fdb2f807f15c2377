"""Badges beside names in chat.

The room knows `host`, `moderator` and `staff`. Other features (verification, OG
tiers, subscriptions, top gifters) add theirs by registering a provider, so they add
data without touching chat:

    from streams.badges import register_badge_provider

    @register_badge_provider
    def subscriber_badges(*, stream, user):
        months = ...
        return [{"kind": "subscriber", "months": months}] if months else []

A badge is a small JSON object with a `kind`; clients show the kinds they know.
"""

from collections.abc import Callable

BadgeProvider = Callable[..., list[dict]]
_providers: list[BadgeProvider] = []


def register_badge_provider(provider: BadgeProvider) -> BadgeProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_badge_provider(provider: BadgeProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def badges_for(*, user, stream, roles: frozenset[str]) -> list[dict]:
    badges = []
    if "host" in roles:
        badges.append({"kind": "host"})
    elif "moderator" in roles:
        badges.append({"kind": "moderator"})
    if user.is_staff:
        badges.append({"kind": "staff"})
    for provider in _providers:
        badges.extend(provider(stream=stream, user=user))
    return badges
