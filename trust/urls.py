from django.urls import path

from trust import views

app_name = "trust"

urlpatterns = [
    path("report/<str:target_kind>/<int:target_id>/", views.report, name="report"),
    path("trust/decisions/", views.decisions, name="decisions"),
    path("trust/decisions/<int:action_id>/", views.decision, name="decision"),
]
