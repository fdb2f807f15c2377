"""Image moderation: an NSFW score for stream thumbnails, avatars, public images and
reel frames, computed locally by the NudeNet detector (no network, one CPU core).

    verdict = classify_image(jpeg_bytes)        # or a decoded PIL.Image
    decision = decide(verdict.score)            # Decision.PASS / REVIEW / BLOCK
    log.info("image moderated", extra=verdict.as_log_fields() | {"decision": decision})

The score rule: NudeNet is a detector that finds body parts and says for each whether
it is exposed or covered. The NSFW score of an image is the highest confidence among
its detections of the explicit classes

    FEMALE_BREAST_EXPOSED, FEMALE_GENITALIA_EXPOSED, MALE_GENITALIA_EXPOSED,
    ANUS_EXPOSED, BUTTOCKS_EXPOSED

and 0.0 when there is none (detections below 0.25 confidence are dropped). The other
classes (FACE_FEMALE, FACE_MALE, MALE_BREAST_EXPOSED, BELLY_EXPOSED, ARMPITS_EXPOSED,
FEET_EXPOSED and every *_COVERED class) appear in `ImageVerdict.labels` but never
raise the score. `decide` compares the score with `MODERATION_REVIEW_THRESHOLD` and
`MODERATION_BLOCK_THRESHOLD`; why the defaults are what they are is in
docs/benchmarks.md ("Image moderation").

The model loads once per process on first use (about 0.5 s; `warm_up()` does it at
worker start) and is shared by all threads. Every verdict carries `model_version`
(package, version, model file hash, scoring revision): store it with the decision.
This package has no models and no database access; the moderation queue, cases and
stream interruption live elsewhere.
"""

from __future__ import annotations

import threading

from django.conf import settings

from trust.vision.detector import NudeNetClassifier
from trust.vision.exceptions import ImageTooLarge, InvalidImage
from trust.vision.images import MAX_IMAGE_PIXELS, ImageInput
from trust.vision.scoring import EXPLICIT_CLASSES, Decision, decide, nsfw_score
from trust.vision.verdict import Detection, ImageClassifier, ImageVerdict

__all__ = [
    "EXPLICIT_CLASSES",
    "MAX_IMAGE_PIXELS",
    "Decision",
    "Detection",
    "ImageClassifier",
    "ImageTooLarge",
    "ImageVerdict",
    "InvalidImage",
    "NudeNetClassifier",
    "classify_image",
    "decide",
    "get_image_classifier",
    "nsfw_score",
    "warm_up",
]

_classifier: ImageClassifier | None = None
_classifier_lock = threading.Lock()


def get_image_classifier() -> ImageClassifier:
    """The process's classifier, loaded on first call (thread-safe, once per process).

    Uses `MODERATION_MODEL_THREADS` onnxruntime threads per image. A forked child (a
    Celery prefork worker) that inherits a loaded classifier keeps using it; load
    after the fork (`warm_up` in `worker_process_init`) so each child has its own.
    """
    global _classifier
    classifier = _classifier
    if classifier is None:
        with _classifier_lock:
            classifier = _classifier
            if classifier is None:
                classifier = NudeNetClassifier(threads=settings.MODERATION_MODEL_THREADS)
                _classifier = classifier
    return classifier


def warm_up() -> None:
    """Load the model now rather than on the first image. Safe to call repeatedly."""
    get_image_classifier()


def classify_image(image: ImageInput) -> ImageVerdict:
    """Score `image` (image file bytes or a `PIL.Image`) with the process's classifier.

    Raises `InvalidImage` (or its subclass `ImageTooLarge`) for input that is not a
    readable image of at most `MAX_IMAGE_PIXELS` pixels.
    """
    return get_image_classifier().classify(image)
