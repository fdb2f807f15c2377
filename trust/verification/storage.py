"""Files no web server may hand out: a folder at settings.PRIVATE_MEDIA_ROOT, outside
MEDIA_ROOT, with no URL. They are read only through views that check permissions
(trust.verification.admin's document view)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateMediaStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(directory_permissions_mode=0o700, file_permissions_mode=0o600)

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def base_url(self):
        # FileSystemStorage would fall back to MEDIA_URL; `url()` raises without one.
        return None

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


_private_storage = PrivateMediaStorage()


def private_storage() -> PrivateMediaStorage:
    """The storage for FileFields (a callable, so migrations name it, not its folder)."""
    return _private_storage
