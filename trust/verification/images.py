"""Identity document photos: check an upload really is a picture, then re-encode it.

`halobuzz.core.uploads.open_image_upload` does the checks every upload gets: the
size limit, the file's first bytes against JPEG / PNG / WebP signatures, a full
Pillow decode that must agree with them, and a pixel limit. On top, a document photo
must be large enough to read, and it is re-encoded as a JPEG no larger than
MAX_EDGE_PIXELS a side, which keeps nothing of the file but its pixels: no EXIF
(location, camera serial), comments, or anything appended after the image.
"""

from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image

from halobuzz.core.uploads import InvalidImageUpload, open_image_upload
from trust.verification.exceptions import InvalidDocument

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Long edge after re-encoding: enough to read a document's small print.
MAX_EDGE_PIXELS = 3000
MIN_EDGE_PIXELS = 300
JPEG_QUALITY = 90


def clean_document_image(upload, *, label: str) -> ContentFile:
    """A stripped JPEG of `upload`. `label` names the photo in errors ("Your selfie").

    Raises InvalidDocument for files that are too large, not JPEG/PNG/WebP images,
    unreadable, or too small to read.
    """
    try:
        picture, _format = open_image_upload(
            upload,
            max_bytes=settings.IDENTITY_DOCUMENT_MAX_UPLOAD_BYTES,
            accepted_formats=ACCEPTED_FORMATS,
        )
    except InvalidImageUpload as error:
        raise InvalidDocument(
            _("%(what)s: %(problem)s") % {"what": label, "problem": error.message}
        ) from error
    if min(picture.size) < MIN_EDGE_PIXELS:
        raise InvalidDocument(
            _("%(what)s: the photo is too small to read. Take it closer.") % {"what": label}
        )
    picture = picture.convert("RGB")
    picture.thumbnail((MAX_EDGE_PIXELS, MAX_EDGE_PIXELS), Image.Resampling.LANCZOS)
    output = BytesIO()
    picture.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(output.getvalue(), name="document.jpg")
