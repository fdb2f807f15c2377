from django.conf import settings


def absolute_url(path: str) -> str:
    """A full URL on this site for emails and share links (SITE_URL + path)."""
    return f"{settings.SITE_URL}{path}"
