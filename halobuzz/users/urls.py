from django.urls import path

from halobuzz.users import views

app_name = "users"

urlpatterns = [
    path("@<str:username>/", views.profile, name="profile"),
    path("@<str:username>/followers/", views.followers, name="followers"),
    path("@<str:username>/following/", views.following, name="following"),
    path("@<str:username>/follow/", views.follow, name="follow"),
    path("settings/profile/", views.edit_profile, name="edit_profile"),
]
