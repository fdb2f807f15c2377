"""Creators' partner tiers, which set their share of what viewers spend on them."""

from economy.models import CreatorPartnership


def set_partner_tier(*, creator, tier: str, note: str = "", staff_user) -> CreatorPartnership:
    """Put `creator` on `tier` from their next gift on; recorded with who set it."""
    partnership, _ = CreatorPartnership.objects.update_or_create(
        creator=creator, defaults={"tier": tier, "note": note, "updated_by": staff_user}
    )
    return partnership
