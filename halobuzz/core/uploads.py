"""Images members upload, checked by what the bytes are, not by the file's name.

Every public image goes through `open_image_upload`: the size limit, the file's
signature (magic bytes) against the formats we accept, a full decode by Pillow with
a pixel limit against decompression bombs. What comes out is a freshly decoded
picture, turned upright from its EXIF orientation, with none of the file's metadata
(EXIF GPS position, camera serial, comments). `clean_image_upload` re-encodes it in
its own format; callers that resize (avatars) take the decoded picture instead.
"""

from __future__ import annotations

from io import BytesIO

from django.core.files.base import ContentFile
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from halobuzz.core.exceptions import ApplicationError

PUBLIC_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Ample for photos from phones (a 48 MP camera) and small enough to decode safely.
DEFAULT_MAX_PIXELS = 50_000_000

FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
# What Pillow calls a file with each signature: cameras write JPEGs with extra
# pictures inside (MPO), which are JPEGs all the same.
PILLOW_FORMATS = {"JPEG": {"JPEG", "MPO"}, "PNG": {"PNG"}, "WEBP": {"WEBP"}, "GIF": {"GIF"}}
FILE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Enough bytes to tell every accepted format apart (WebP's tag is at bytes 8-11).
SIGNATURE_LENGTH = 12
# Pillow modes each format can store; anything else is converted before saving.
SAVABLE_MODES = {
    "JPEG": {"RGB", "L", "CMYK"},
    "PNG": {"RGB", "RGBA", "L", "LA", "P", "1", "I", "I;16"},
    "WEBP": {"RGB", "RGBA"},
    "GIF": {"P", "L", "1"},
}
# Kept from the decoded picture: they are how it looks, not where it was taken.
KEPT_INFO = ("icc_profile", "transparency")


class InvalidImageUpload(ApplicationError):
    code = "invalid_image"


def sniff_image_format(head: bytes) -> str | None:
    """The accepted format whose signature `head` (the file's first bytes) starts
    with: JPEG FF D8 FF, PNG 89 "PNG" 0D 0A 1A 0A, GIF "GIF87a"/"GIF89a", WebP
    "RIFF" <size> "WEBP". None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def open_image_upload(
    upload,
    *,
    max_bytes: int,
    accepted_formats=PUBLIC_IMAGE_FORMATS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> tuple[Image.Image, str]:
    """Check `upload` (a file object) and return (upright decoded picture, format).

    The picture is fully loaded, carries no metadata, and is the first frame of an
    animation. Raises InvalidImageUpload: larger than `max_bytes`; a format outside
    `accepted_formats` (whatever the file's name or type claims); not an image, or
    a truncated or corrupt one; more than `max_pixels` pixels.
    """
    data = _read_at_most(upload, max_bytes)
    accepted = [image_format.upper() for image_format in accepted_formats]
    image_format = sniff_image_format(data[:SIGNATURE_LENGTH])
    if image_format is None or image_format not in accepted:
        raise InvalidImageUpload(
            _refusal_for_unaccepted(data, accepted), extra={"accepted_formats": accepted}
        )
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in PILLOW_FORMATS[image_format]:
                raise InvalidImageUpload(_("The file is not an image we can read."))
            width, height = probe.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels)
            # Checks the file's structure (PNG checksums, for one); `load` then decodes
            # every pixel, which is where a truncated JPEG fails.
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()
            picture = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as error:
        # Pillow's own, far higher limit, met while opening a header it cannot size.
        raise _too_many_pixels(max_pixels) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidImageUpload(_("The file is not an image we can read.")) from error
    picture.info = {key: picture.info[key] for key in KEPT_INFO if key in picture.info}
    return picture, image_format


def clean_image_upload(
    upload,
    *,
    max_bytes: int,
    accepted_formats=PUBLIC_IMAGE_FORMATS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ContentFile:
    """`upload` checked as in `open_image_upload` and re-encoded in its own format
    (so nothing of the original file survives but the picture), named
    ``image.<extension of the real format>``. Raises InvalidImageUpload."""
    picture, image_format = open_image_upload(
        upload, max_bytes=max_bytes, accepted_formats=accepted_formats, max_pixels=max_pixels
    )
    return encode_image(picture, image_format=image_format)


def encode_image(picture: Image.Image, *, image_format: str) -> ContentFile:
    if picture.mode not in SAVABLE_MODES[image_format]:
        has_alpha = "A" in picture.getbands() or "transparency" in picture.info
        if image_format == "GIF":
            picture = picture.convert("P", palette=Image.Palette.ADAPTIVE)
        elif has_alpha and image_format in ("PNG", "WEBP"):
            picture = picture.convert("RGBA")
        else:
            picture = picture.convert("RGB")
    options = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}}.get(image_format, {})
    output = BytesIO()
    picture.save(output, format=image_format, **options)
    return ContentFile(output.getvalue(), name=f"image.{FILE_EXTENSIONS[image_format]}")


def _too_many_pixels(max_pixels: int) -> InvalidImageUpload:
    return InvalidImageUpload(
        _("The image has too many pixels (at most %(limit)s million).")
        % {"limit": max(1, max_pixels // 1_000_000)},
        code="too_many_pixels",
        extra={"max_pixels": max_pixels},
    )


def _read_at_most(upload, max_bytes: int) -> bytes:
    too_large = InvalidImageUpload(
        _("The image is larger than %(limit)s.") % {"limit": _size_label(max_bytes)},
        code="image_too_large",
        extra={"max_bytes": max_bytes},
    )
    declared_size = getattr(upload, "size", None)
    if declared_size is not None and declared_size > max_bytes:
        raise too_large
    upload.seek(0)
    # Read one byte past the limit: a file that lied about its size is still caught.
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    return data


def _refusal_for_unaccepted(data: bytes, accepted: list[str]) -> str:
    """A picture in another format (BMP, TIFF) is told which formats to use; anything
    else (text, a document, a program) that it is not an image."""
    try:
        with Image.open(BytesIO(data)):
            pass
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return _("The file is not an image we can read.")
    except Image.DecompressionBombError:
        pass
    names = [FORMAT_NAMES.get(image_format, image_format) for image_format in accepted]
    return _("Upload a %(formats)s image.") % {"formats": get_text_list(names, _("or"))}


def _size_label(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    if megabytes >= 1:
        return _("%(count)s MB") % {"count": f"{megabytes:g}"}
    return _("%(count)s KB") % {"count": max(1, max_bytes // 1024)}
