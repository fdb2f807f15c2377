"""Reads for trust and safety: chat safety in `chat_safety`, moderation cases in `cases`."""

from trust.selectors.chat_safety import (
    BLOCKED_TERMS_CACHE_SECONDS,
    active_site_bans,
    get_active_site_ban,
    invalidate_blocked_terms,
    is_banned_sitewide,
    list_blocked_terms,
    list_channel_blocked_terms,
)

__all__ = [
    "BLOCKED_TERMS_CACHE_SECONDS",
    "active_site_bans",
    "get_active_site_ban",
    "invalidate_blocked_terms",
    "is_banned_sitewide",
    "list_blocked_terms",
    "list_channel_blocked_terms",
]
