"""The emote catalog (edited by operators in the admin)."""

from django.db import transaction

from streams.models import Emote
from streams.selectors import room as room_selectors


def save_emote(*, emote: Emote) -> Emote:
    """Save an emote the admin form validated; rooms see it within a minute."""
    emote.save()
    transaction.on_commit(room_selectors.forget_cached_emotes)
    return emote


def delete_emote(*, emote: Emote) -> None:
    emote.delete()
    transaction.on_commit(room_selectors.forget_cached_emotes)
