"""Entrances: a moment the whole room sees when someone special joins (an OG
member's entrance). Like badges (streams.badges), features register a provider and
the room announces what it returns, without the room knowing the feature:

    @register_entrance_provider
    def og_entrance(*, stream, user):
        return {"kind": "og", "tier": 3, "color": "#f5c542"} or None

The first provider to return something wins. The frame is `room.entrance`
(docs/realtime-protocol.md).
"""

from collections.abc import Callable

EntranceProvider = Callable[..., dict | None]
_providers: list[EntranceProvider] = []


def register_entrance_provider(provider: EntranceProvider) -> EntranceProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def has_entrance_providers() -> bool:
    return bool(_providers)


def entrance_for(*, user, stream) -> dict | None:
    for provider in _providers:
        entrance = provider(stream=stream, user=user)
        if entrance:
            return entrance
    return None
