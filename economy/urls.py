from django.urls import path

from economy.views import earnings, gifts, memberships, payments, subscriptions, wallet

app_name = "economy"

urlpatterns = [
    path("wallet/", wallet.wallet, name="wallet"),
    path("wallet/buy", payments.buy_coins, name="buy-coins"),
    path("wallet/earnings/", earnings.earnings, name="earnings"),
    path("og/", memberships.og_membership, name="og"),
    path("subscribe/<str:username>/", subscriptions.subscribe, name="subscribe"),
    path(
        "subscribe/<str:username>/pay",
        subscriptions.subscribe_with_money,
        name="subscribe-with-money",
    ),
    path(
        "subscribe/<str:username>/stop-renewing",
        subscriptions.stop_renewal,
        name="stop-renewal",
    ),
    path(
        "wallet/earnings/subscriptions",
        subscriptions.subscription_settings,
        name="subscription-settings",
    ),
    path("wallet/payments/<uuid:public_id>/", payments.payment_result, name="payment"),
    path(
        "wallet/payments/<uuid:public_id>/return",
        payments.payment_return,
        name="payment-return",
    ),
    path(
        "wallet/payments/<uuid:public_id>/cancelled",
        payments.payment_cancelled,
        name="payment-cancelled",
    ),
    path(
        "wallet/payments/<uuid:public_id>/dev-checkout",
        payments.dev_checkout,
        name="dev-checkout",
    ),
    path("payments/webhooks/<slug:provider_name>", payments.provider_webhook, name="webhook"),
    path(
        "streams/<int:stream_id>/top-gifters",
        gifts.stream_top_gifters,
        name="stream-top-gifters",
    ),
]
