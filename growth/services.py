"""Writes for referrals, campaigns, experiments and offers."""
