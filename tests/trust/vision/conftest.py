from pathlib import Path

import pytest

from trust.vision import NudeNetClassifier

IMAGE_SET = Path(__file__).resolve().parents[3] / "bench" / "data" / "moderation"


def image_bytes(name: str) -> bytes:
    """An image of the labelled set (bench/data/moderation/README.md says what each is)."""
    return (IMAGE_SET / name).read_bytes()


@pytest.fixture(scope="session")
def classifier() -> NudeNetClassifier:
    """One loaded model for the tests that only classify (loading costs ~0.3 s)."""
    return NudeNetClassifier(threads=1)
