from urllib.parse import urlsplit

from django.conf import settings


def sync_site_with_settings(**kwargs) -> None:
    """Keep the Site row (used in emails' links and subjects) in step with SITE_URL."""
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "HaloBuzz"}
    )
