"""Turning upload bytes or a decoded frame into the RGB picture the model reads.

Checks the size from the header before decoding anything, so a small file that
declares a huge picture (a decompression bomb) costs nothing. Animated GIF/WebP/APNG
are judged by their first frame; the caller samples other frames of a video itself.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from trust.vision.exceptions import ImageTooLarge, InvalidImage

# 8K UHD is 33 Mpx; nothing a camera, phone or stream produces is larger. A picture
# this size decodes to ~150 MB of RGB, which bounds one task's memory.
MAX_IMAGE_PIXELS = 40_000_000

# What Pillow raises for bytes that are not a readable image: unknown format, a
# truncated or corrupt file, a broken header, an absurd size.
_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
)

ImageInput = bytes | bytearray | memoryview | Image.Image


def load_rgb(image: ImageInput, *, draft_size: int | None = None) -> Image.Image:
    """The picture as an RGB `Image`, upright as the camera held it (EXIF orientation).

    `image` is an encoded file's bytes (JPEG, PNG, WebP, GIF, ... whatever Pillow
    reads) or an already decoded `PIL.Image.Image`. `draft_size` lets a JPEG decode at
    a reduced scale no smaller than that many pixels on its short side, which makes a
    large thumbnail several times cheaper to read when it will be shrunk anyway.
    Transparent pixels become black, the colour the model's letterbox padding has.

    Raises `InvalidImage` for bytes that are not a readable image and `ImageTooLarge`
    for one of more than `MAX_IMAGE_PIXELS` pixels.
    """
    if isinstance(image, Image.Image):
        _check_size(image.width, image.height)
        return _to_rgb(image)
    if not isinstance(image, bytes | bytearray | memoryview):
        raise TypeError(f"expected image bytes or a PIL image, not {type(image).__name__}")
    if not image:
        raise InvalidImage()
    try:
        with warnings.catch_warnings():
            # Our own pixel cap applies below; Pillow's bomb warning would only repeat it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(image)) as opened:
                _check_size(opened.width, opened.height)
                if draft_size and opened.format == "JPEG":
                    opened.draft("RGB", _draft_box(opened.size, draft_size))
                opened.load()
                return _to_rgb(opened)
    except ImageTooLarge:
        raise
    except _DECODE_ERRORS as error:
        raise InvalidImage() from error


def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise InvalidImage()
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageTooLarge(width=width, height=height, max_pixels=MAX_IMAGE_PIXELS)


def _draft_box(size: tuple[int, int], short_side: int) -> tuple[int, int]:
    """The (width, height) to ask `draft` for so that the longer side is still at least
    `short_side`: the model letterboxes the longer side to its input size."""
    width, height = size
    scale = short_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode == "RGB":
        return image
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in {"RGBA", "LA", "PA", "RGBa", "La"}:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
