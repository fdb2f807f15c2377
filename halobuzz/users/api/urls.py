from django.urls import path

from halobuzz.users.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("users/<str:username>/", views.UserDetailView.as_view(), name="user-detail"),
    path("users/<str:username>/follow/", views.FollowView.as_view(), name="user-follow"),
    path(
        "users/<str:username>/followers/",
        views.FollowersListView.as_view(),
        name="user-followers",
    ),
    path(
        "users/<str:username>/following/",
        views.FollowingListView.as_view(),
        name="user-following",
    ),
]
