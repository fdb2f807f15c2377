"""The trust score formula (HaloBuzz plan), as pure functions of plain inputs.

    trust = (verification * 0.30 + social_proof * 0.25 + financial * 0.25
             + content * 0.20) * 100

The weights are staff-editable (`TrustWeights`); each component is in [0, 1]:

verification
    The weighted share of verified layers: identity 0.35, phone 0.20, email 0.15,
    bank 0.15, address 0.10, social 0.05 (they add up to 1).
social_proof
    0.4 * followers + 0.3 * account age + 0.3 * positive interactions, where
    followers = log10(1 + n) / log10(1 + 1000) capped at 1 (1,000 followers is full
    marks), account age = days / 365 capped at 1, and positive interactions (gifts
    given and received, chat messages that stayed up) = log10(1 + n) / log10(1 + 500)
    capped at 1.
financial
    0.4 * purchases + 0.2 * payouts + 0.4 * KYC, then * (1 - 0.5 per refund or
    chargeback, floored at 0): purchases = log10(1 + paid purchases) / log10(11) capped
    at 1 (ten purchases is full marks), payouts = paid payouts / 3 capped at 1, KYC =
    1 when identity is verified.
content
    1 - strikes, floored at 0. Strikes count decisions of the last 90 days that were
    not overturned on appeal: warning 0.10, removed content 0.15, ended stream 0.25,
    AI-interrupted stream 0.25, suspension 0.35, ban 1.00; plus 0.02 per upheld report
    (at most 0.20) and 0.01 per message AutoMod held or rejected (at most 0.10).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

LAYER_WEIGHTS = {
    "identity": 0.35,
    "phone": 0.20,
    "email": 0.15,
    "bank": 0.15,
    "address": 0.10,
    "social": 0.05,
}
STRIKE_WEIGHTS = {
    "warn": 0.10,
    "remove_content": 0.15,
    "end_stream": 0.25,
    "ai_block": 0.25,
    "suspend": 0.35,
    "site_ban": 1.00,
}
UPHELD_REPORT_WEIGHT = 0.02
UPHELD_REPORTS_CAP = 0.20
AUTOMOD_HOLD_WEIGHT = 0.01
AUTOMOD_HOLDS_CAP = 0.10
STRIKE_WINDOW_DAYS = 90
FULL_FOLLOWERS = 1000
FULL_INTERACTIONS = 500
FULL_PURCHASES = 10
FULL_PAYOUTS = 3
REFUND_PENALTY = 0.5


@dataclass
class TrustInputs:
    verified_layers: list[str] = field(default_factory=list)
    followers: int = 0
    account_age_days: int = 0
    positive_interactions: int = 0
    paid_purchases: int = 0
    paid_payouts: int = 0
    refunds_and_chargebacks: int = 0
    kyc_verified: bool = False
    strikes: dict[str, int] = field(default_factory=dict)
    upheld_reports: int = 0
    automod_holds: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Weights:
    verification: float = 0.30
    social_proof: float = 0.25
    financial: float = 0.25
    content: float = 0.20
    fair_from: int = 40
    good_from: int = 60
    excellent_from: int = 80


def _log_share(count: int, full: int) -> float:
    return min(1.0, math.log10(1 + max(0, count)) / math.log10(1 + full))


def verification_component(inputs: TrustInputs) -> float:
    return min(1.0, sum(LAYER_WEIGHTS.get(layer, 0.0) for layer in set(inputs.verified_layers)))


def social_proof_component(inputs: TrustInputs) -> float:
    followers = _log_share(inputs.followers, FULL_FOLLOWERS)
    age = min(1.0, max(0, inputs.account_age_days) / 365)
    interactions = _log_share(inputs.positive_interactions, FULL_INTERACTIONS)
    return 0.4 * followers + 0.3 * age + 0.3 * interactions


def financial_component(inputs: TrustInputs) -> float:
    purchases = _log_share(inputs.paid_purchases, FULL_PURCHASES)
    payouts = min(1.0, inputs.paid_payouts / FULL_PAYOUTS)
    kyc = 1.0 if inputs.kyc_verified else 0.0
    penalty = max(0.0, 1 - REFUND_PENALTY * inputs.refunds_and_chargebacks)
    return (0.4 * purchases + 0.2 * payouts + 0.4 * kyc) * penalty


def content_component(inputs: TrustInputs) -> float:
    strikes = sum(STRIKE_WEIGHTS.get(kind, 0.0) * count for kind, count in inputs.strikes.items())
    strikes += min(UPHELD_REPORTS_CAP, UPHELD_REPORT_WEIGHT * inputs.upheld_reports)
    strikes += min(AUTOMOD_HOLDS_CAP, AUTOMOD_HOLD_WEIGHT * inputs.automod_holds)
    return max(0.0, 1 - strikes)


def components(inputs: TrustInputs) -> dict[str, float]:
    return {
        "verification": round(verification_component(inputs), 4),
        "social_proof": round(social_proof_component(inputs), 4),
        "financial": round(financial_component(inputs), 4),
        "content": round(content_component(inputs), 4),
    }


def trust_score(parts: dict[str, float], weights: Weights) -> Decimal:
    total = (
        parts["verification"] * weights.verification
        + parts["social_proof"] * weights.social_proof
        + parts["financial"] * weights.financial
        + parts["content"] * weights.content
    ) * 100
    return Decimal(str(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def trust_level(score: Decimal, weights: Weights) -> str:
    if score >= weights.excellent_from:
        return "excellent"
    if score >= weights.good_from:
        return "good"
    if score >= weights.fair_from:
        return "fair"
    return "new"
