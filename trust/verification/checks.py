"""System checks: the private media folder must not lie inside a folder served to the
public (MEDIA_ROOT under MEDIA_URL, STATIC_ROOT under STATIC_URL)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


def _inside(path: Path, folder: Path) -> bool:
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


@register()
def check_private_media_root(app_configs=None, **kwargs) -> list[Error]:
    private = settings.PRIVATE_MEDIA_ROOT
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = getattr(settings, name, None)
        if public and _inside(private, public):
            errors.append(
                Error(
                    f"PRIVATE_MEDIA_ROOT ({private}) is inside {name} ({public}).",
                    hint="Identity documents would be served publicly; keep the folders apart.",
                    id="verification.E001",
                )
            )
    return errors
