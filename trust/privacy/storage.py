"""Where data exports are kept: the private storage at settings.PRIVATE_MEDIA_ROOT,
outside MEDIA_ROOT, with no URL. Files leave it only through the download view, which
checks the signed link and the signed-in owner."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage

EXPORTS_FOLDER = "exports"


def export_storage() -> FileSystemStorage:
    """Built on each call, so that the folder follows the setting (tests move it)."""
    return FileSystemStorage(
        location=settings.PRIVATE_MEDIA_ROOT,
        base_url=None,
        directory_permissions_mode=0o700,
        file_permissions_mode=0o600,
    )
