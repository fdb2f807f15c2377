"""Awarding and revoking trust badges by their rules (`trust.badges.rules`).

`evaluate_badges` runs after every trust score recomputation and nightly for everyone;
it is idempotent, and each change is a row in `BadgeAward` (the audit trail).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from trust.badges import rules
from trust.badges.selectors import forget_badges
from trust.models import BadgeAward


@transaction.atomic
def evaluate_badges(*, user, now=None) -> dict[str, str]:
    """Award the badges `user` has earned and revoke those they no longer meet.
    Returns {badge: "awarded" | "revoked"} for what changed."""
    now = now or timezone.now()
    current = {
        award.badge: award
        for award in BadgeAward.objects.select_for_update().filter(
            user=user, revoked_at__isnull=True
        )
    }
    changes = {}
    for badge, rule in rules.RULES.items():
        result = rule(user, now=now)
        held = current.get(badge)
        if result.earned and held is None:
            BadgeAward.objects.create(
                user=user, badge=badge, awarded_at=now, evidence=result.evidence
            )
            changes[badge] = "awarded"
        elif not result.earned and held is not None:
            held.revoked_at = now
            held.revoked_because = ", ".join(
                f"{key}={value}" for key, value in result.evidence.items()
            )[:200]
            held.save(update_fields=["revoked_at", "revoked_because"])
            changes[badge] = "revoked"
    if changes:
        transaction.on_commit(lambda: forget_badges(user_id=user.pk))
    return changes


def evaluate_all_badges(*, batch_size: int = 500) -> int:
    """Everyone's badges (the nightly run); returns how many changed."""
    now = timezone.now()
    changed = 0
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    for user in users.iterator(chunk_size=batch_size):
        changed += len(evaluate_badges(user=user, now=now))
    return changed
