"""A newcomer's first minutes, in a real browser on a phone-sized screen."""

import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-password-7"


def field(page, label: str):
    """The input labelled exactly ``label`` (allauth's labels end in a colon)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def test_sign_up_verify_sign_in_and_switch_to_nepali(page):
    page.goto("/")
    # On a phone the header has room for "Sign in"; sign-up is linked from there.
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="sign up").click()

    field(page, "Email").fill("browser.person@example.com")
    field(page, "Username").fill("browser_person")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/")

    # Signed in by the confirmation; sign out and back in with the password.
    page.get_by_label("Account menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.get_by_role("link", name="Sign in").click()
    field(page, "Login").fill("browser_person")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Account menu").wait_for()

    # The footer's language switcher (the home page also filters streams by language).
    page.get_by_role("contentinfo").get_by_label("Language").select_option("ne")
    page.wait_for_function("document.documentElement.lang === 'ne'")
    navigation = page.get_by_role("navigation", name="मुख्य")
    assert navigation.get_by_role("link", name="लाइभ").is_visible()
    assert page.get_by_role("banner").get_by_role("link", name="लाइभ जानुहोस्").is_visible()

    # The choice is kept on the account: a fresh visit is still in Nepali.
    page.goto("/leaderboards/")
    assert page.evaluate("document.documentElement.lang") == "ne"


def test_following_a_creator_updates_the_button_and_count_in_place(page):
    UserFactory(username="viewer_one", password=PASSWORD)
    UserFactory(username="aasha_sings", display_name="Aasha Gurung", is_creator=True)

    page.goto("/accounts/login/")
    field(page, "Login").fill("viewer_one")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Account menu").wait_for()

    page.goto("/@aasha_sings/")
    url_before = page.url
    page.get_by_role("button", name="Follow").click()
    page.get_by_role("button", name="Following").wait_for()
    assert page.locator("#follower-count").inner_text() == "1 follower"
    assert page.url == url_before  # htmx swapped the button; no page load


def test_account_pages_and_api_docs_load_under_the_content_security_policy(page):
    UserFactory(username="viewer_two", password=PASSWORD)
    page.goto("/accounts/login/")
    field(page, "Login").fill("viewer_two")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Account menu").wait_for()

    for path, heading in [
        ("/accounts/email/", "Email Address"),
        ("/accounts/2fa/", "Two-Factor Authentication"),
        ("/settings/profile/", "Edit profile"),
    ]:
        page.goto(path)
        page.get_by_role("heading", name=heading, exact=True).wait_for()

    page.goto("/api/docs/")
    page.get_by_text("HaloBuzz API").first.wait_for()
    # The page fixture fails the test on any console error, CSP violations included.
