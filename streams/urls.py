from django.urls import path

from streams import views

app_name = "streams"

urlpatterns = [
    path("reels/", views.reels, name="reels"),
    path("studio/", views.studio, name="studio"),
]
