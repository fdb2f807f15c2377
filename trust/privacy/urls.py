from django.urls import path

from trust.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.policy, name="policy"),
    path("privacy/settings/", views.privacy_settings, name="settings"),
    path("privacy/consent/", views.consent_banner, name="consent_banner"),
    path("privacy/export/", views.request_export, name="request_export"),
    path("privacy/export/status/", views.export_status, name="export_status"),
    path("privacy/export/<str:token>/", views.download_export, name="download_export"),
    path("privacy/delete/", views.delete_account, name="delete_account"),
    path("privacy/delete/cancel/", views.cancel_deletion, name="cancel_deletion"),
]
