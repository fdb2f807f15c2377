"""Operators' pages for trust and safety: chat safety (the moderation log, blocked
terms, site bans) and the moderation console (cases, appeals, trust scores)."""

from trust.admin import cases, chat_safety  # noqa: F401 (registers the admin pages)
