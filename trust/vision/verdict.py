"""What a classifier says about one image, and the interface every classifier has."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from trust.vision.images import ImageInput


@dataclass(frozen=True, slots=True)
class Detection:
    """One body part the detector found: its class, confidence and box.

    `box` is (left, top, width, height) in pixels of the image as given (after EXIF
    rotation), clipped to the image.
    """

    label: str
    confidence: float
    box: tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class ImageVerdict:
    """How explicit an image looks.

    `score` in [0, 1] is the NSFW score that thresholds are compared with (see
    `trust.vision.decide`); `labels` maps every class detected to its highest
    confidence, explicit or not (faces, covered parts, ...); `model_version` names
    the model and scoring rule that produced the score, to be stored with any decision
    taken on it; `elapsed_ms` is the wall time of the whole classification (decoding
    included).
    """

    score: float
    labels: dict[str, float]
    model_version: str
    elapsed_ms: float
    detections: tuple[Detection, ...] = field(default=())

    def as_log_fields(self) -> dict:
        """JSON-ready fields for a log line or a stored moderation decision."""
        return {
            "score": round(self.score, 4),
            "labels": {label: round(value, 4) for label, value in self.labels.items()},
            "model_version": self.model_version,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


@runtime_checkable
class ImageClassifier(Protocol):
    """Scores images for nudity. Implementations are thread-safe and load their model
    once; `classify` raises `trust.vision.InvalidImage` for input it cannot read."""

    model_version: str

    def classify(self, image: ImageInput) -> ImageVerdict: ...
