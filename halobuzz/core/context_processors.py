from django.conf import settings


def site(request):
    return {
        "SITE_NAME": "HaloBuzz",
        "SITE_URL": settings.SITE_URL,
        "TIME_ZONE_COOKIE_NAME": settings.TIME_ZONE_COOKIE_NAME,
    }
