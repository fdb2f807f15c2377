from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from halobuzz.core import views as core_views
from streams.views import discovery as streams_discovery
from streams.views import media as streams_media
from streams.views import rtmp as streams_rtmp

# Swagger UI sets inline styles; allow them on the docs page only (scripts stay strict).
API_DOCS_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}

api_v1_patterns = [
    path("", include("halobuzz.users.api.urls")),
    path("", include("streams.api.urls")),
    path("", include("economy.api.urls")),
    path("", include("trust.api.urls")),
]

urlpatterns = [
    path("", streams_discovery.live, name="home"),
    path("hls/<str:public_id>/<str:filename>", streams_media.serve_hls, name="hls"),
    path("internal/rtmp/<str:event>", streams_rtmp.callback, name="rtmp-callback"),
    path("", include("streams.urls")),
    path("", include("economy.urls")),
    path("", include("growth.urls")),
    path("", include("halobuzz.users.urls")),
    path("", include("halobuzz.notifications.urls")),
    path("", include("trust.verification.urls")),
    path("", include("trust.privacy.urls")),
    path("", include("trust.urls")),
    path("", include("trust.audit.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("i18n/language/", core_views.set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", include((api_v1_patterns, "api"), namespace="api-v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        csp_override(API_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
