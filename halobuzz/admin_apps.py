from django.contrib.admin.apps import AdminConfig


class HaloBuzzAdminConfig(AdminConfig):
    # A dotted path: the site module imports allauth, which needs the app registry.
    default_site = "halobuzz.admin_site.HaloBuzzAdminSite"
