"""The consent banner in a real browser, by keyboard only, on a phone-sized screen."""

import pytest
from django.conf import settings

from tests.browser.conftest import browser, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_answers_the_banner_with_the_keyboard_on_a_phone(page):  # noqa: F811
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/privacy/")
    banner = page.get_by_role("region", name="Your privacy choices")
    banner.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Tab from the page's top until "Reject optional" has the focus, then press Enter.
    reject = banner.get_by_role("button", name="Reject optional")
    for _step in range(30):
        page.keyboard.press("Tab")
        if reject.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Reject optional cannot be reached with the Tab key")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.get_by_role("heading", name="Privacy policy", level=1).wait_for()
    assert page.get_by_role("region", name="Your privacy choices").count() == 0
    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert settings.PRIVACY_CONSENT_COOKIE_NAME in cookies
