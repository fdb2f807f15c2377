"""Hooks other apps attach to without `halobuzz.users` depending on them.

`avatar_changed` is sent after a new avatar is saved (trust scans it). Public-text
checks (trust's AutoMod and blocked terms) register with `register_public_text_check`
and run on usernames, display names and bios before they are saved.
"""

from collections.abc import Callable

from django.dispatch import Signal

# Sent with `user` and `avatar_name` once a new avatar is stored.
avatar_changed = Signal()

PublicTextCheck = Callable[[str], None]
_public_text_checks: list[PublicTextCheck] = []


def register_public_text_check(check: PublicTextCheck) -> PublicTextCheck:
    """`check(text)` raises django.core.exceptions.ValidationError for text that may
    not be shown publicly."""
    if check not in _public_text_checks:
        _public_text_checks.append(check)
    return check


def validate_public_text(value: str) -> None:
    """A model field validator: every registered check, in order."""
    for check in _public_text_checks:
        check(value)
