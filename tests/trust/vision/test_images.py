"""Input the classifier refuses: a clear error, never a crash or a silent pass."""

import io

import pytest
from PIL import Image

from halobuzz.core.exceptions import ApplicationError
from tests.trust.vision.conftest import image_bytes
from trust.vision import MAX_IMAGE_PIXELS, ImageTooLarge, InvalidImage


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7 not an image at all",
        b"GIF89a" + b"\x00" * 10,  # a GIF header and nothing after it
        bytes(range(256)) * 4,
    ],
    ids=["empty", "pdf", "header-only-gif", "noise"],
)
def test_bytes_that_are_not_an_image_are_refused(classifier, data):
    with pytest.raises(InvalidImage) as raised:
        classifier.classify(data)

    assert isinstance(raised.value, ApplicationError)
    assert raised.value.code == "invalid_image"
    assert raised.value.status == 400
    assert "not an image" in raised.value.message


def test_a_truncated_jpeg_is_refused(classifier):
    whole = image_bytes("photo-coffee.jpg")

    with pytest.raises(InvalidImage):
        classifier.classify(whole[: len(whole) // 2])


def test_a_picture_over_the_pixel_cap_is_refused_before_decoding(classifier):
    # A 1-bit PNG of 8000 x 6000 pixels is a few kilobytes: the size of the decoded
    # picture, not of the file, is what costs memory.
    huge = io.BytesIO()
    Image.new("1", (8000, 6000)).save(huge, "PNG")
    assert len(huge.getvalue()) < 100_000
    assert MAX_IMAGE_PIXELS < 8000 * 6000

    with pytest.raises(ImageTooLarge) as raised:
        classifier.classify(huge.getvalue())

    assert raised.value.code == "image_too_large"
    assert raised.value.status == 413
    assert raised.value.extra == {"width": 8000, "height": 6000, "max_pixels": MAX_IMAGE_PIXELS}


def test_a_decoded_picture_over_the_pixel_cap_is_refused(classifier):
    with pytest.raises(ImageTooLarge):
        classifier.classify(Image.new("L", (8000, 6000)))


def test_a_file_path_is_not_image_bytes(classifier):
    with pytest.raises(TypeError):
        classifier.classify("bench/data/moderation/photo-coffee.jpg")
