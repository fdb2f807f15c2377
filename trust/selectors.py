"""Reads for trust and safety: verification state, scores, moderation queues."""
