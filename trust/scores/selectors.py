"""Reading trust scores the way a member sees theirs: components and how to raise it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trust.models.scores import TrustLevel, TrustScore, TrustScoreChange
from trust.scores import formula
from trust.scores.services import get_weights, recompute_trust_score

COMPONENT_LABELS = {
    "verification": gettext_lazy("Verification"),
    "social_proof": gettext_lazy("Community"),
    "financial": gettext_lazy("Payments"),
    "content": gettext_lazy("Content record"),
}


@dataclass(frozen=True)
class ComponentView:
    key: str
    label: str
    value: float
    weight: float

    @property
    def percent(self) -> int:
        return round(self.value * 100)

    @property
    def points(self) -> float:
        return round(self.value * self.weight * 100, 1)

    @property
    def max_points(self) -> int:
        return round(self.weight * 100)


def _tips(inputs: dict) -> list[str]:
    tips = []
    layers = set(inputs.get("verified_layers", []))
    if "email" not in layers:
        tips.append(_("Verify your email address."))
    if "phone" not in layers:
        tips.append(_("Verify your phone number."))
    if "identity" not in layers:
        tips.append(_("Creators: verify your identity to unlock payouts and more trust."))
    if inputs.get("followers", 0) < 100:
        tips.append(_("Stream and chat regularly: followers and positive interactions count."))
    if inputs.get("strikes"):
        tips.append(
            _(
                "Moderation decisions count for %(days)d days; follow the community "
                "guidelines and they age out."
            )
            % {"days": formula.STRIKE_WINDOW_DAYS}
        )
    if inputs.get("refunds_and_chargebacks"):
        tips.append(_("Refunds and chargebacks lower the payments part of your score."))
    return tips


def get_trust_summary(*, user) -> dict:
    """The member's score, level, components with their weights, tips and recent
    history. Computes the score the first time it is asked for."""
    score = TrustScore.objects.filter(user=user).first() or recompute_trust_score(user=user)
    weights = get_weights()
    weight_of = {
        "verification": weights.verification,
        "social_proof": weights.social_proof,
        "financial": weights.financial,
        "content": weights.content,
    }
    components = [
        ComponentView(
            key=key,
            label=COMPONENT_LABELS[key],
            value=score.components.get(key, 0.0),
            weight=weight_of[key],
        )
        for key in COMPONENT_LABELS
    ]
    return {
        "score": score,
        "level_label": TrustLevel(score.level).label,
        "components": components,
        "tips": _tips(score.inputs),
        "history": list(TrustScoreChange.objects.filter(user=user)[:10]),
        "bands": {
            "fair": weights.fair_from,
            "good": weights.good_from,
            "excellent": weights.excellent_from,
        },
    }


def get_trust_level(*, user) -> str:
    """ "new" for members never scored (badges and other apps read this)."""
    return TrustScore.objects.filter(user=user).values_list("level", flat=True).first() or "new"
