"""From a score to pass / review / block, and from detections to a score."""

import math

import pytest
from django.core.exceptions import ImproperlyConfigured

from trust.vision import Decision, decide, nsfw_score


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, "pass"),
        (0.4999, "pass"),
        (0.5, "review"),
        (0.7999, "review"),
        (0.8, "block"),
        (1.0, "block"),
    ],
)
def test_decision_at_the_threshold_boundaries(score, expected):
    assert decide(score, review_threshold=0.5, block_threshold=0.8) == expected


def test_thresholds_come_from_the_settings(settings):
    settings.MODERATION_REVIEW_THRESHOLD = 0.3
    settings.MODERATION_BLOCK_THRESHOLD = 0.6

    assert decide(0.29) == Decision.PASS
    assert decide(0.3) == Decision.REVIEW
    assert decide(0.6) == Decision.BLOCK


def test_equal_thresholds_never_review():
    assert decide(0.69, review_threshold=0.7, block_threshold=0.7) == Decision.PASS
    assert decide(0.7, review_threshold=0.7, block_threshold=0.7) == Decision.BLOCK


def test_a_decision_is_its_plain_name():
    assert [str(decision) for decision in Decision] == ["pass", "review", "block"]
    assert Decision.REVIEW == "review"


@pytest.mark.parametrize(
    ("review", "block"), [(0.9, 0.5), (-0.1, 0.5), (0.5, 1.2)], ids=["inverted", "neg", "big"]
)
def test_impossible_thresholds_are_a_configuration_error(settings, review, block):
    settings.MODERATION_REVIEW_THRESHOLD = review
    settings.MODERATION_BLOCK_THRESHOLD = block

    with pytest.raises(ImproperlyConfigured, match="MODERATION_BLOCK_THRESHOLD"):
        decide(0.5)


@pytest.mark.parametrize("score", [math.nan, -0.01, 1.01])
def test_a_score_outside_zero_to_one_is_refused(score):
    with pytest.raises(ValueError, match="NSFW score"):
        decide(score, review_threshold=0.5, block_threshold=0.8)


def test_score_is_the_most_confident_explicit_detection():
    labels = {
        "FEMALE_BREAST_COVERED": 0.95,
        "BUTTOCKS_EXPOSED": 0.6,
        "FEMALE_BREAST_EXPOSED": 0.7,
        "FACE_FEMALE": 0.9,
    }

    assert nsfw_score(labels) == 0.7


def test_covered_parts_faces_and_bare_chests_score_nothing():
    labels = {
        "FACE_MALE": 0.9,
        "MALE_BREAST_EXPOSED": 0.9,
        "BELLY_EXPOSED": 0.8,
        "BUTTOCKS_COVERED": 0.9,
        "FEET_EXPOSED": 0.7,
    }

    assert nsfw_score(labels) == 0.0
    assert nsfw_score({}) == 0.0
