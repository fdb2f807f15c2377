from django.urls import path

from trust.audit import views

app_name = "audit"

urlpatterns = [
    path("account/security-log/", views.security_log, name="security-log"),
]
