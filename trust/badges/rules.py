"""When each trust badge is earned. Each rule returns the figures it looked at and
whether they earn the badge, so an award can say why it was made.

- Verified Creator: a creator whose identity is verified.
- Trusted Streamer: at least TRUSTED_STREAMER_HOURS streamed in the last 30 days, no
  upheld reports in that time, and a trust level of "good" or better.
- Community Champion: at least COMMUNITY_CHAMPION_UPHELD_REPORTS of their reports
  upheld in the last 90 days, at least COMMUNITY_CHAMPION_CHAT_MESSAGES chat messages
  that stayed up, and no AutoMod holds or moderation decisions against them in 90 days.
- Premium Partner: partner tier Partner or above, with identity verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Q

from economy.models import CreatorPartnership, PartnerTier
from streams.models import ChatMessage, Stream
from trust.models import Badge, ModerationAction, Report
from trust.scores.selectors import get_trust_level

STREAMING_WINDOW = timedelta(days=30)
COMMUNITY_WINDOW = timedelta(days=90)
GOOD_LEVELS = ("good", "excellent")
PARTNER_TIERS = (PartnerTier.PARTNER, PartnerTier.ELITE)


@dataclass(frozen=True)
class RuleResult:
    earned: bool
    evidence: dict


def identity_verified(user) -> bool:
    if apps.is_installed("trust.verification"):
        verification_model = apps.get_model("verification", "Verification")
        if verification_model.objects.filter(
            user=user, kind="identity", status="verified"
        ).exists():
            return True
    return bool(user.is_kyc_verified)


def hours_streamed(user, *, now) -> float:
    since = now - STREAMING_WINDOW
    seconds = 0.0
    streams = Stream.objects.filter(host=user, started_at__isnull=False).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=since)
    )
    for started_at, ended_at in streams.values_list("started_at", "ended_at"):
        start = max(started_at, since)
        seconds += max(0.0, ((ended_at or now) - start).total_seconds())
    return round(seconds / 3600, 1)


def verified_creator(user, *, now) -> RuleResult:
    verified = identity_verified(user)
    return RuleResult(
        earned=user.is_creator and verified,
        evidence={"creator": user.is_creator, "identity_verified": verified},
    )


def trusted_streamer(user, *, now) -> RuleResult:
    hours = hours_streamed(user, now=now)
    upheld = Report.objects.filter(
        case__subject=user, upheld=True, created_at__gte=now - STREAMING_WINDOW
    ).count()
    level = get_trust_level(user=user)
    return RuleResult(
        earned=hours >= settings.TRUSTED_STREAMER_HOURS and upheld == 0 and level in GOOD_LEVELS,
        evidence={
            "hours_streamed_30_days": hours,
            "upheld_reports_30_days": upheld,
            "trust_level": level,
        },
    )


def community_champion(user, *, now) -> RuleResult:
    since = now - COMMUNITY_WINDOW
    helpful = Report.objects.filter(reporter=user, upheld=True, created_at__gte=since).count()
    messages = ChatMessage.objects.filter(author=user, status=ChatMessage.Status.VISIBLE).count()
    against = ModerationAction.objects.filter(target_user=user, created_at__gte=since).count()
    return RuleResult(
        earned=helpful >= settings.COMMUNITY_CHAMPION_UPHELD_REPORTS
        and messages >= settings.COMMUNITY_CHAMPION_CHAT_MESSAGES
        and against == 0,
        evidence={
            "upheld_reports_made_90_days": helpful,
            "chat_messages": messages,
            "decisions_against_90_days": against,
        },
    )


def premium_partner(user, *, now) -> RuleResult:
    tier = (
        CreatorPartnership.objects.filter(creator=user).values_list("tier", flat=True).first()
        or PartnerTier.AFFILIATE
    )
    verified = identity_verified(user)
    return RuleResult(
        earned=tier in PARTNER_TIERS and verified,
        evidence={"partner_tier": tier, "identity_verified": verified},
    )


RULES = {
    Badge.VERIFIED_CREATOR: verified_creator,
    Badge.TRUSTED_STREAMER: trusted_streamer,
    Badge.COMMUNITY_CHAMPION: community_champion,
    Badge.PREMIUM_PARTNER: premium_partner,
}
