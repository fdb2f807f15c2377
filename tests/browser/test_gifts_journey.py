"""Coins and gifts in real browsers: a viewer buys coins with the dev provider, sends
a gift in a live room, a second viewer sees it play, and the creator sees the
diamonds in their wallet."""

import pytest

from tests.browser.servers import asgi_server
from tests.browser.test_live_video_browser import signed_in_context
from tests.economy.catalog import ensure_catalog
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    with asgi_server() as address:
        yield f"http://{address}"


def open_page(browser, site, user, path, errors):
    context = signed_in_context(browser, site, user)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: errors.append(f"{user.username}: {error}"))
    page.goto(path)
    return page


def test_a_viewer_buys_coins_sends_a_gift_everyone_sees_it_and_the_creator_earns(site, browser):
    ensure_catalog()
    stream = LiveStreamFactory(title="Samba ao vivo")
    ana = UserFactory(username="ana", display_name="Ana", preferred_currency="BRL")
    ravi = UserFactory(username="ravi", display_name="Ravi")
    errors: list[str] = []

    # Ana buys 1,000 + 100 coins, priced in her currency.
    buyer = open_page(browser, site, ana, "/wallet/", errors)
    package = buyer.locator("[data-package]", has_text="1,000")
    assert "R$" in package.locator(".package__price").inner_text()
    package.get_by_role("button", name="Pay with Test payment").click()
    buyer.get_by_role("button", name="Pay", exact=True).click()
    buyer.get_by_role("heading", name="1,100 coins are in your wallet").wait_for()

    # Both watch the stream; Ana opens the gift panel and sends a Trophy (200 coins).
    ravi_page = open_page(browser, site, ravi, stream.get_absolute_url(), errors)
    buyer.goto(stream.get_absolute_url())
    for page in (buyer, ravi_page):
        page.locator("[data-room][data-room-open]").wait_for()
    buyer.get_by_role("button", name="Send a gift").click()
    buyer.get_by_role("radio", name="Trophy").click()
    buyer.locator("[data-gift-send]").click()
    buyer.locator("[data-gift-done]", has_text="Trophy").wait_for()
    assert buyer.locator("[data-gift-balance]").inner_text() == "900"

    # Ravi sees it play on the video and read in the chat, and Ana tops the gifters.
    ravi_page.locator("[data-gift-cards] .gift-card", has_text="Ana").wait_for()
    ravi_page.locator(".room-notice--gift", has_text="Ana sent 1 \u00d7 🏆 Trophy").wait_for()
    ravi_page.locator(".top-gifters .leaderboard__row", has_text="Ana").wait_for()

    # A legendary gift Ana cannot afford: a clear refusal and a way to buy coins.
    buyer.get_by_role("radio", name="Castle").click()
    buyer.locator("[data-gift-send]").click()
    buyer.locator("[data-gift-error]", has_text="not have enough coins").wait_for()
    assert buyer.locator("[data-gift-buy]").is_visible()

    # The creator finds the diamonds (70 % of 200) in their wallet.
    creator = open_page(browser, site, stream.host, "/wallet/", errors)
    assert "140" in creator.locator("[data-balance='diamonds']").inner_text()
    assert errors == []
