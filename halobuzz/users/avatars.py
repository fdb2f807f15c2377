"""Avatar images: check that an upload really is a picture, then square and shrink it."""

from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from halobuzz.core.uploads import InvalidImageUpload, open_image_upload
from halobuzz.users.exceptions import InvalidAvatar

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Refuse decompression bombs before Pillow allocates them.
MAX_SOURCE_PIXELS = 40_000_000


def make_avatar(upload) -> ContentFile:
    """Return a square WebP of AVATAR_SIZE_PIXELS from an uploaded image, without
    the original's metadata.

    Raises InvalidAvatar for files that are too large, not images (by their
    content, whatever their name), damaged, or in a format we do not accept.
    """
    try:
        picture, _format = open_image_upload(
            upload,
            max_bytes=settings.AVATAR_MAX_UPLOAD_BYTES,
            accepted_formats=ACCEPTED_FORMATS,
            max_pixels=MAX_SOURCE_PIXELS,
        )
    except InvalidImageUpload as error:
        raise InvalidAvatar(error.message, extra=error.extra) from error
    size = settings.AVATAR_SIZE_PIXELS
    square = ImageOps.fit(picture.convert("RGB"), (size, size), method=Image.Resampling.LANCZOS)
    output = BytesIO()
    square.save(output, format="WEBP", quality=85)
    return ContentFile(output.getvalue(), name="avatar.webp")
