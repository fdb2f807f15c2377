"""OG membership: buying and renewing with coins, the daily bonus, ending lapsed
memberships (docs/architecture.md, "OG membership").

A purchase is one database transaction: the coins move (wallet to platform revenue,
through the ledger) and the membership row is written, or neither happens. Buying
while a membership runs extends it from its current end, so nobody loses paid days;
moving to a lower tier has to wait until the higher one ends.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from economy.exceptions import EconomyError
from economy.models import Account, Asset, LedgerTransaction, OGMembership, OGTier
from economy.services import ledger
from economy.services.rewards import grant_coins


class MembershipError(EconomyError):
    pass


def buy_og_membership(*, user, tier_id: int, idempotency_key: str) -> OGMembership:
    """Buy or renew an OG tier for its duration. Raises MembershipError
    (tier_unavailable, downgrade_while_active), InsufficientFunds,
    CoinDebtOutstanding; a repeated key returns the membership unchanged."""
    tier = OGTier.objects.filter(pk=tier_id, is_active=True).first()
    if tier is None:
        raise MembershipError(_("That OG tier is not on sale."), code="tier_unavailable")
    now = timezone.now()
    with transaction.atomic():
        current = OGMembership.objects.select_for_update().filter(user=user).first()
        running = current is not None and current.expires_at > now
        if running and tier.tier < current.tier.tier:
            raise MembershipError(
                _("You can move to a lower tier when %(tier)s ends.") % {"tier": current.tier},
                code="downgrade_while_active",
            )
        posted = ledger.post_transfer(
            kind=LedgerTransaction.Kind.MEMBERSHIP,
            idempotency_key=f"og:{user.pk}:{idempotency_key}",
            source=ledger.get_or_create_user_account(user=user, kind=Account.Kind.USER_COINS),
            destination=ledger.get_or_create_platform_account(
                kind=Account.Kind.PLATFORM_REVENUE, asset=Asset.COINS
            ),
            amount=tier.price_coins,
            reference_type="og_tier",
            reference_id=str(tier.pk),
            memo=f"{tier} for {tier.duration_days} days",
        )
        if not posted.created:
            return current
        extension = datetime.timedelta(days=tier.duration_days)
        if current is None:
            return OGMembership.objects.create(
                user=user, tier=tier, started_at=now, expires_at=now + extension
            )
        if not running:
            current.started_at = now
        current.expires_at = (current.expires_at if running else now) + extension
        current.tier = tier
        current.ended_at = None
        current.save()
        return current


def claim_og_daily_bonus(*, user) -> int:
    """Pay today's bonus coins of the user's running tier, once per UTC day; returns
    the coins paid. Raises MembershipError (not_a_member, bonus_claimed)."""
    today = timezone.now().astimezone(datetime.UTC).date()
    with transaction.atomic():
        membership = (
            OGMembership.objects.select_for_update()
            .select_related("tier")
            .filter(user=user, expires_at__gt=timezone.now())
            .first()
        )
        if membership is None or not membership.tier.daily_bonus_coins:
            raise MembershipError(_("The daily bonus is for OG members."), code="not_a_member")
        if membership.last_bonus_on == today:
            raise MembershipError(
                _("You have claimed today's bonus. Come back tomorrow."), code="bonus_claimed"
            )
        coins = membership.tier.daily_bonus_coins
        grant_coins(
            user=user,
            coins=coins,
            reason=f"{membership.tier} daily bonus",
            idempotency_key=f"og-bonus:{user.pk}:{today.isoformat()}",
        )
        membership.last_bonus_on = today
        membership.save(update_fields=["last_bonus_on"])
    return coins


def end_lapsed_og_memberships() -> list[OGMembership]:
    """Mark memberships whose time ran out as ended (once each); returns them so the
    caller can tell their members."""
    now = timezone.now()
    with transaction.atomic():
        lapsed = list(
            OGMembership.objects.select_for_update(skip_locked=True)
            .select_related("user", "tier")
            .filter(expires_at__lte=now, ended_at__isnull=True)[:500]
        )
        OGMembership.objects.filter(pk__in=[m.pk for m in lapsed]).update(ended_at=now)
    return lapsed
