"""Receivers for other apps' signals (connected in TrustConfig.ready)."""

from django.db import transaction

from trust import tasks


def scan_new_avatar(*, user, avatar_name: str, **_signal) -> None:
    # In a worker on the moderation queue, once the new avatar is committed: the
    # upload answers without waiting, and the worker sees the row it scans.
    transaction.on_commit(lambda: tasks.moderate_avatar.delay(user.pk, avatar_name))
