"""Writes for trust and safety. Chat safety and the moderation log are in
`chat_safety`; reports, moderation cases and appeals in `reports`, `cases` and `appeals`."""

from trust.services.chat_safety import (
    MAX_TERMS_PER_CHANNEL,
    SITE_BAN_REASON_MAX_LENGTH,
    TERM_MIN_NORMALIZED_LENGTH,
    add_blocked_term,
    ban_user_sitewide,
    check_new_blocked_term,
    check_site_ban,
    lift_site_ban,
    record_moderation_action,
    remove_blocked_term,
)

__all__ = [
    "MAX_TERMS_PER_CHANNEL",
    "SITE_BAN_REASON_MAX_LENGTH",
    "TERM_MIN_NORMALIZED_LENGTH",
    "add_blocked_term",
    "ban_user_sitewide",
    "check_new_blocked_term",
    "check_site_ban",
    "lift_site_ban",
    "record_moderation_action",
    "remove_blocked_term",
]
