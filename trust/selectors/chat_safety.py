"""Reads for trust and safety: site-wide bans and blocked terms.

Chat asks `list_blocked_terms` on every message, so the lists are cached (shared
through Django's cache, so all processes see a change): each list is stored under its
scope's version number, and `trust.services` bumps the version when a change to a term
commits, which makes every process read the new list on its next message.
"""

from __future__ import annotations

import threading
import time

from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Now

from trust.models import BlockedTerm, SiteBan

BLOCKED_TERMS_CACHE_SECONDS = 30
_VERSION_KEY = "trust:blocked-terms:version:{scope}"
_TERMS_KEY = "trust:blocked-terms:{scopes}"
_GLOBAL_SCOPE = "global"


# --- Site-wide bans ----------------------------------------------------------------------


def active_site_bans(*, user) -> QuerySet[SiteBan]:
    """`user`'s bans in force now: not lifted and not expired."""
    return SiteBan.objects.filter(user=user, lifted_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=Now())
    )


def get_active_site_ban(*, user) -> SiteBan | None:
    """The ban in force that lasts longest (permanent first), or None.

    Anonymous visitors are never banned.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        active_site_bans(user=user)
        .order_by(F("expires_at").desc(nulls_first=True), "-created_at")
        .first()
    )


def is_banned_sitewide(*, user) -> bool:
    """Whether `user` may not take part anywhere right now."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return active_site_bans(user=user).exists()


# --- Blocked terms ------------------------------------------------------------------------


def _scope(channel_id: int | None) -> str:
    return _GLOBAL_SCOPE if channel_id is None else f"channel:{channel_id}"


def _versions(scopes: list[str]) -> dict[str, int]:
    keys = {scope: _VERSION_KEY.format(scope=scope) for scope in scopes}
    found = cache.get_many(list(keys.values()))
    versions = {}
    for scope, key in keys.items():
        version = found.get(key)
        if version is None:
            # Start from the clock, not 0: if the version key is ever evicted, a new
            # start never meets a list cached under an old number.
            cache.add(key, time.time_ns(), timeout=None)
            version = cache.get(key, 0)
        versions[scope] = version
    return versions


def invalidate_blocked_terms(*, channel_id: int | None) -> None:
    """Make the next read of that scope's list (None: the global one) hit the database.

    Called by `trust.services` when the addition or removal of a term commits.
    """
    key = _VERSION_KEY.format(scope=_scope(channel_id))
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, time.time_ns(), timeout=None)


class _ProcessMemo:
    """This process's copy of recently read lists, so a busy room does not fetch and
    unpickle the same list from Redis on every message. Keys carry the versions, so
    a change through the services is never served from here."""

    def __init__(self, *, max_entries: int = 512):
        self._entries: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, key: str) -> tuple[str, ...] | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, terms: tuple[str, ...]) -> None:
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + BLOCKED_TERMS_CACHE_SECONDS, terms)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_memo = _ProcessMemo()


def list_blocked_terms(*, channel=None) -> list[str]:
    """The normalized terms chat refuses in `channel`: the global ones and the channel's
    own (None: the global ones only), sorted and without repeats.

    Pass the result to `trust.text.find_blocked_term`. Cached for up to
    `BLOCKED_TERMS_CACHE_SECONDS`; changes through `trust.services` show as soon as
    they commit.
    """
    channel_id = channel.pk if channel is not None else None
    scopes = [_GLOBAL_SCOPE] if channel_id is None else [_GLOBAL_SCOPE, _scope(channel_id)]
    versions = _versions(scopes)
    key = _TERMS_KEY.format(scopes=",".join(f"{scope}@{versions[scope]}" for scope in scopes))
    terms = _memo.get(key)
    if terms is None:
        terms = cache.get(key)
        if terms is None:
            in_scope = Q(channel__isnull=True)
            if channel_id is not None:
                in_scope |= Q(channel_id=channel_id)
            rows = BlockedTerm.objects.filter(in_scope).values_list("normalized", flat=True)
            terms = tuple(sorted(set(rows)))
            cache.set(key, terms, BLOCKED_TERMS_CACHE_SECONDS)
        _memo.put(key, terms)
    return list(terms)


def list_channel_blocked_terms(*, channel) -> QuerySet[BlockedTerm]:
    """`channel`'s own blocked terms (not the global ones), for its settings page."""
    return BlockedTerm.objects.filter(channel=channel).order_by("term", "pk")
