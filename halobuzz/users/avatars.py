"""Avatar images: check that an upload really is a picture, then square and shrink it."""

from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from halobuzz.users.exceptions import InvalidAvatar

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Refuse decompression bombs before Pillow allocates them.
MAX_SOURCE_PIXELS = 40_000_000


def make_avatar(upload) -> ContentFile:
    """Return a square WebP of AVATAR_SIZE_PIXELS from an uploaded image.

    Raises InvalidAvatar for files that are too large, not images, or in a format
    we do not accept.
    """
    if upload.size > settings.AVATAR_MAX_UPLOAD_BYTES:
        limit_megabytes = settings.AVATAR_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise InvalidAvatar(
            _("The image is larger than %(limit)d MB.") % {"limit": limit_megabytes}
        )
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
        if image_format not in ACCEPTED_FORMATS:
            raise InvalidAvatar(_("Upload a JPEG, PNG, WebP or GIF image."))
        if width * height > MAX_SOURCE_PIXELS:
            raise InvalidAvatar(_("The image has too many pixels."))
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            size = settings.AVATAR_SIZE_PIXELS
            square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InvalidAvatar(_("The file is not an image we can read.")) from error
    output = BytesIO()
    square.save(output, format="WEBP", quality=85)
    return ContentFile(output.getvalue(), name="avatar.webp")
