"""AutoMod: a local toxicity score for chat messages.

``score_message(text)`` returns an `AutoModVerdict` (score in [0, 1], reason). English
is scored by the `alt-profanity-check` model; Portuguese, Nepali and Hindi (Devanagari
and Romanised) by the curated lists in ``trust/data/automod_terms/``. Nothing leaves the
machine. Call ``warm_up()`` when a process starts serving chat to load the model early.
"""

from trust.automod.scoring import AutoModVerdict, score_message, warm_up

__all__ = ["AutoModVerdict", "score_message", "warm_up"]
