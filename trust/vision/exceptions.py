"""Errors raised for images the classifier cannot read, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from halobuzz.core.exceptions import ApplicationError


class InvalidImage(ApplicationError):
    """The bytes are not an image Pillow can decode (or it is truncated or corrupt)."""

    code = "invalid_image"

    def __init__(self, message=None):
        super().__init__(message or _("This file is not an image we can read."))


class ImageTooLarge(InvalidImage):
    """The image has more pixels than `trust.vision.images.MAX_IMAGE_PIXELS`."""

    code = "image_too_large"
    status = 413

    def __init__(self, *, width: int, height: int, max_pixels: int):
        super().__init__(
            _("This image is too large (%(width)s by %(height)s pixels).")
            % {"width": width, "height": height}
        )
        self.extra = {"width": width, "height": height, "max_pixels": max_pixels}
