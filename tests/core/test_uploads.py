"""Public image uploads are judged by their bytes and come out without metadata."""

import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from halobuzz.core.uploads import (
    InvalidImageUpload,
    clean_image_upload,
    sniff_image_format,
)

MEGABYTE = 1024 * 1024
GPS_IFD = 0x8825
ORIENTATION = 0x0112
ROTATE_90_CLOCKWISE = 6


def image_bytes(image_format="PNG", size=(64, 32), mode="RGB", **save_options) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, "teal" if mode in ("RGB", "RGBA") else 1).save(
        buffer, format=image_format, **save_options
    )
    return buffer.getvalue()


def upload(data: bytes, name="photo.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def clean(file, **limits):
    return clean_image_upload(file, max_bytes=limits.pop("max_bytes", 5 * MEGABYTE), **limits)


def opened(content_file) -> Image.Image:
    image = Image.open(BytesIO(content_file.read()))
    image.load()
    return image


def png_claiming_size(width: int, height: int) -> bytes:
    """A valid-looking PNG header for a huge black-and-white picture, a few bytes long:
    what a decompression bomb looks like before anyone decodes it."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        checksum = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_jpeg_with_a_gps_position_comes_out_upright_and_without_exif():
    exif = Image.Exif()
    exif[ORIENTATION] = ROTATE_90_CLOCKWISE
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (27.0, 42.0, 15.0), 3: "E", 4: (85.0, 19.0, 0.0)})
    original = image_bytes("JPEG", size=(80, 40), exif=exif.tobytes())
    with Image.open(BytesIO(original)) as check:
        assert check.getexif().get_ifd(GPS_IFD)  # the test photo does carry a position

    result = opened(clean(upload(original, "holiday.jpg", "image/jpeg")))

    assert result.format == "JPEG"
    assert "exif" not in result.info
    assert dict(result.getexif()) == {}
    assert result.size == (40, 80)  # turned as the camera said, before the tag went


def test_png_text_chunks_are_dropped_and_transparency_kept():
    metadata = PngImagePlugin.PngInfo()
    metadata.add_text("Author", "Asha Rai, Pokhara")
    original = image_bytes("PNG", mode="RGBA", pnginfo=metadata)

    result = opened(clean(upload(original)))

    assert result.format == "PNG"
    assert result.mode == "RGBA"
    assert not result.text


def test_a_png_named_jpg_is_taken_for_what_it_is():
    cleaned = clean(upload(image_bytes("PNG"), "photo.jpg", "image/jpeg"))

    assert cleaned.name == "image.png"
    assert opened(cleaned).format == "PNG"


@pytest.mark.parametrize(("image_format", "extension"), [("GIF", "gif"), ("WEBP", "webp")])
def test_gif_and_webp_are_accepted_and_re_encoded(image_format, extension):
    cleaned = clean(upload(image_bytes(image_format), f"x.{extension}"))
    assert cleaned.name == f"image.{extension}"
    assert opened(cleaned).format == image_format


def test_a_text_file_named_png_is_refused():
    with pytest.raises(InvalidImageUpload, match="not an image we can read"):
        clean(upload(b"<?php system($_GET['c']); ?>", "innocent.png"))


def test_an_svg_is_refused_as_not_an_image():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(InvalidImageUpload, match="not an image we can read"):
        clean(upload(svg, "logo.png"))


def test_an_image_in_another_format_is_told_which_formats_to_use():
    with pytest.raises(InvalidImageUpload, match="JPEG, PNG, WebP or GIF") as refused:
        clean(upload(image_bytes("BMP"), "scan.png"))
    assert refused.value.extra == {"accepted_formats": ["JPEG", "PNG", "WEBP", "GIF"]}


def test_only_the_formats_the_caller_accepts_pass():
    with pytest.raises(InvalidImageUpload, match="Upload a PNG or GIF image"):
        clean(upload(image_bytes("JPEG"), "x.jpg"), accepted_formats=("PNG", "GIF"))


def test_an_oversized_file_is_refused():
    data = image_bytes("PNG", size=(400, 400))
    with pytest.raises(InvalidImageUpload, match="larger than 1 KB") as refused:
        clean(upload(data), max_bytes=1024)
    assert refused.value.code == "image_too_large"


def test_a_file_that_understates_its_size_is_still_refused():
    sneaky = upload(image_bytes("PNG", size=(400, 400)))
    sneaky.size = 10
    with pytest.raises(InvalidImageUpload, match="larger than"):
        clean(sneaky, max_bytes=1024)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "GIF", "WEBP"])
def test_a_truncated_image_is_refused(image_format):
    whole = image_bytes(image_format, size=(300, 200))
    with pytest.raises(InvalidImageUpload, match="not an image we can read"):
        clean(upload(whole[: len(whole) // 2]))


def test_a_picture_over_the_pixel_limit_is_refused_before_decoding():
    with pytest.raises(InvalidImageUpload, match="too many pixels") as refused:
        clean(upload(image_bytes("PNG", size=(200, 200))), max_pixels=10_000)
    assert refused.value.code == "too_many_pixels"


def test_a_decompression_bomb_is_refused():
    bomb = png_claiming_size(100_000, 100_000)  # ten billion pixels in 80 bytes
    assert len(bomb) < 100
    with pytest.raises(InvalidImageUpload, match="too many pixels"):
        clean(upload(bomb, "bomb.png"))


def test_a_bomb_under_pillows_own_limit_is_refused_by_ours():
    bomb = png_claiming_size(9_000, 9_000)  # 81 million pixels: Pillow would decode it
    with pytest.raises(InvalidImageUpload, match="too many pixels"):
        clean(upload(bomb, "bomb.png"))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\r", "PNG"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00", "GIF"),
        (b"RIFF\x24\x00\x00\x00WEBP", "WEBP"),
        (b"RIFF\x24\x00\x00\x00WAVE", None),
        (b"BM\x36\x00\x00\x00\x00\x00\x00\x00", None),
        (b"", None),
    ],
)
def test_signatures_name_the_format(head, expected):
    assert sniff_image_format(head) == expected
