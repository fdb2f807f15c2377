"""From detections to one NSFW score, and from a score to a decision."""

from __future__ import annotations

import math
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The detector classes that make an image explicit. Covered parts, bellies, armpits,
# feet, faces and a bare male chest are ordinary on a live-streaming platform (sport,
# swimwear, fitness streams) and never raise the score.
EXPLICIT_CLASSES = frozenset(
    {
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "ANUS_EXPOSED",
        "BUTTOCKS_EXPOSED",
    }
)


def nsfw_score(labels: dict[str, float]) -> float:
    """The highest confidence among the explicit classes detected, 0.0 if none."""
    return max((labels[label] for label in EXPLICIT_CLASSES if label in labels), default=0.0)


class Decision(StrEnum):
    PASS = "pass"  # noqa: S105 (a decision, not a password)
    REVIEW = "review"
    BLOCK = "block"


def decide(
    score: float,
    *,
    review_threshold: float | None = None,
    block_threshold: float | None = None,
) -> Decision:
    """``block`` at or above the block threshold, ``review`` at or above the review
    threshold, else ``pass``.

    Thresholds default to the `MODERATION_REVIEW_THRESHOLD` and
    `MODERATION_BLOCK_THRESHOLD` settings. Raises `ValueError` for a score that is not
    a number in [0, 1] (a NaN would otherwise pass silently) and
    `ImproperlyConfigured` for thresholds outside [0, 1] or a block threshold below
    the review threshold.
    """
    review = settings.MODERATION_REVIEW_THRESHOLD if review_threshold is None else review_threshold
    block = settings.MODERATION_BLOCK_THRESHOLD if block_threshold is None else block_threshold
    if not (0.0 <= review <= block <= 1.0):
        raise ImproperlyConfigured(
            "Image moderation needs 0 <= MODERATION_REVIEW_THRESHOLD <= "
            f"MODERATION_BLOCK_THRESHOLD <= 1 (review {review!r}, block {block!r})."
        )
    if math.isnan(score) or not 0.0 <= score <= 1.0:
        raise ValueError(f"an NSFW score is a number in [0, 1], not {score!r}")
    if score >= block:
        return Decision.BLOCK
    if score >= review:
        return Decision.REVIEW
    return Decision.PASS
