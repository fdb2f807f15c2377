"""The wallet's Buy coins section, the purchase pages and the economy's admin pages."""

import pytest
from django.urls import reverse

from economy.models import CreatorPartnership, Gift, PartnerTier, Payment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(client):
    user = UserFactory(preferred_currency="NPR")
    client.force_login(user)
    return user


def buy(client, coins=1000, currency="NPR", provider="dev"):
    package = client.get("/wallet/").context["offers"]
    chosen = next(offer for offer in package if offer.package.coins == coins)
    return client.post(
        reverse("economy:buy-coins"),
        {"package": chosen.package.pk, "currency": currency, "provider": provider},
    )


def test_the_wallet_offers_packages_in_the_buyers_currency(client, buyer):
    page = client.get("/wallet/")

    html = page.content.decode()
    assert page.context["currency"] == "NPR"
    assert len(page.context["offers"]) == 4
    assert "1,299" in html or "1299" in html
    assert "Pay with Test payment" in html


def test_another_currency_can_be_chosen(client, buyer):
    page = client.get("/wallet/?currency=BRL")

    assert page.context["currency"] == "BRL"
    assert "R$" in page.content.decode()


def test_buying_goes_to_the_checkout_and_back_to_a_result_that_shows_the_coins(client, buyer):
    response = buy(client)
    payment = Payment.objects.get(user=buyer)
    assert response.status_code == 302
    assert response.url == reverse("economy:dev-checkout", args=[payment.public_id])
    assert "Test payment" in client.get(response.url).content.decode()

    paid = client.post(response.url, {"choice": "pay"}, follow=True)

    assert paid.redirect_chain[-1][0] == reverse("economy:payment", args=[payment.public_id])
    assert "1,100 coins are in your wallet" in paid.content.decode()
    assert client.get("/api/v1/wallet/").json()["coins"] == 1100


def test_a_declined_card_says_so_and_offers_to_try_again(client, buyer):
    checkout = buy(client).url

    page = client.post(checkout, {"choice": "decline"}, follow=True)

    assert "did not go through" in page.content.decode()
    assert client.get("/api/v1/wallet/").json()["coins"] == 0


def test_cancelling_at_the_checkout_cancels_the_payment(client, buyer):
    checkout = buy(client).url

    page = client.post(checkout, {"choice": "cancel"}, follow=True)

    assert "was cancelled" in page.content.decode()
    assert Payment.objects.get(user=buyer).status == Payment.Status.CANCELLED


def test_a_pending_payment_page_polls_until_it_is_settled(client, buyer):
    buy(client)
    payment = Payment.objects.get(user=buyer)

    page = client.get(reverse("economy:payment", args=[payment.public_id]))

    assert 'hx-trigger="every 3s"' in page.content.decode()


def test_other_peoples_payments_are_not_found(client, buyer):
    buy(client)
    payment = Payment.objects.get(user=buyer)
    client.force_login(UserFactory())

    assert client.get(reverse("economy:payment", args=[payment.public_id])).status_code == 404
    assert client.get(reverse("economy:dev-checkout", args=[payment.public_id])).status_code == 404


def test_an_unknown_provider_is_a_clear_error_on_the_wallet(client, buyer):
    response = buy(client, provider="paypal")

    assert response.status_code == 302
    page = client.get(response.url)
    assert "not available" in page.content.decode()
    assert not Payment.objects.exists()


def test_webhooks_for_unknown_providers_are_404(client):
    assert client.post("/payments/webhooks/paypal", data=b"{}", content_type="x").status_code == 404


def test_staff_set_a_creators_partner_tier_and_it_is_recorded(client, operator):
    creator = UserFactory(is_creator=True)

    response = client.post(
        reverse("admin:economy_creatorpartnership_add"),
        {"creator": creator.pk, "tier": PartnerTier.ELITE, "note": "top 1 %"},
    )

    assert response.status_code == 302
    partnership = CreatorPartnership.objects.get(creator=creator)
    assert (partnership.tier, partnership.updated_by) == (PartnerTier.ELITE, operator)


def test_the_gift_catalog_and_payments_are_in_the_admin(client, operator):
    assert client.get(reverse("admin:economy_gift_changelist")).status_code == 200
    gift = Gift.objects.get(slug="rose")
    assert client.get(reverse("admin:economy_gift_change", args=[gift.pk])).status_code == 200
    assert client.get(reverse("admin:economy_coinpackage_changelist")).status_code == 200
    assert client.get(reverse("admin:economy_payment_changelist")).status_code == 200


def test_staff_refund_a_payment_from_the_admin(client, operator):
    buyer = UserFactory()
    client.force_login(buyer)
    checkout = buy(client, currency="USD").url
    client.post(checkout, {"choice": "pay"})
    payment = Payment.objects.get(user=buyer)
    client.force_login(operator)

    client.post(
        reverse("admin:economy_payment_changelist"),
        {"action": "refund_through_provider", "_selected_action": [payment.pk]},
    )

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
