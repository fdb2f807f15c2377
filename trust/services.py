"""Writes for verification, trust scores, badges, moderation and privacy requests.

Moderation actions (bans, removals) happen here in one transaction each, so an
action never half-happens."""
