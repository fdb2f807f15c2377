from django.urls import path

from streams.api import views

urlpatterns = [
    path("streams/", views.StreamListCreateView.as_view(), name="stream-list"),
    path("streams/categories/", views.CategoryListView.as_view(), name="stream-categories"),
    path("streams/key/", views.StreamKeyView.as_view(), name="stream-key"),
    path("streams/key/rotate/", views.StreamKeyRotateView.as_view(), name="stream-key-rotate"),
    path("streams/<int:stream_id>/", views.StreamDetailView.as_view(), name="stream-detail"),
    path("streams/<int:stream_id>/end/", views.StreamEndView.as_view(), name="stream-end"),
    path(
        "streams/<int:stream_id>/rtc-token/",
        views.RtcTokenView.as_view(),
        name="stream-rtc-token",
    ),
]
