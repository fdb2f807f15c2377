"""Trust and safety records, one module each: chat safety (blocked terms, site bans,
the moderation log), reports with their cases and appeals, AI image scans, trust
scores and badges."""

from trust.models.badges import Badge, BadgeAward
from trust.models.cases import Appeal, Case, Report
from trust.models.chat_safety import TERM_MAX_LENGTH, BlockedTerm, ModerationAction, SiteBan
from trust.models.scans import ImageScan
from trust.models.scores import TrustLevel, TrustScore, TrustScoreChange, TrustWeights

__all__ = [
    "TERM_MAX_LENGTH",
    "Appeal",
    "Badge",
    "BadgeAward",
    "BlockedTerm",
    "Case",
    "ImageScan",
    "ModerationAction",
    "Report",
    "SiteBan",
    "TrustLevel",
    "TrustScore",
    "TrustScoreChange",
    "TrustWeights",
]
