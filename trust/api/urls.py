from django.urls import path

from trust.api import views

urlpatterns = [
    path("reports/", views.ReportView.as_view(), name="reports"),
]
