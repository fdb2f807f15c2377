from django.urls import path

from economy.api import views

urlpatterns = [
    path("gifts/", views.GiftListView.as_view(), name="gift-list"),
    path("gifts/send", views.SendGiftView.as_view(), name="gift-send"),
    path("wallet/", views.WalletView.as_view(), name="wallet"),
    path(
        "streams/<int:stream_id>/top-gifters/",
        views.StreamTopGiftersView.as_view(),
        name="stream-top-gifters",
    ),
    path(
        "users/<int:user_id>/top-gifters/",
        views.CreatorTopGiftersView.as_view(),
        name="creator-top-gifters",
    ),
    path("leaderboards/creators/", views.TopCreatorsView.as_view(), name="top-creators"),
]
