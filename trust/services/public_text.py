"""Checks on text shown publicly outside chat (usernames, display names, bios, stream
titles) at save time: the site-wide blocked terms and AutoMod's score.

Chat has its own AutoMod with per-channel settings (`streams.services.chat`); public
profile text is refused outright above PUBLIC_TEXT_AUTOMOD_THRESHOLD, since nobody
reviews it before everyone sees it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from trust import automod
from trust.selectors import list_blocked_terms
from trust.text import find_blocked_term


def public_text_problem(text: str) -> str | None:
    """Why `text` may not be shown publicly, or None when it may."""
    if not text or text.isspace():
        return None
    if find_blocked_term(text, list_blocked_terms()) is not None:
        return _("This contains a word HaloBuzz does not allow.")
    if automod.score_message(text).score >= settings.PUBLIC_TEXT_AUTOMOD_THRESHOLD:
        return _("This looks offensive. Please choose different words.")
    return None


def check_public_text(text: str) -> None:
    """Validator form of `public_text_problem` (raises ValidationError)."""
    problem = public_text_problem(text)
    if problem is not None:
        raise ValidationError(problem, code="inappropriate_text")
