"""The web shell: pages render honest empty states, in four languages, safely."""

import pytest
from django.urls import reverse

from halobuzz.users.models import User
from tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_live_page_says_no_one_is_live_and_offers_go_live(client):
    page = client.get(reverse("home")).content.decode()
    assert "No one is live right now" in page
    assert reverse("streams:studio") in page


def test_the_live_page_suggests_creators_to_follow(client):
    UserFactory(username="aasha", display_name="Aasha", is_creator=True)
    UserFactory(username="just_a_viewer")
    page = client.get(reverse("home")).content.decode()
    assert "Creators to follow" in page
    assert "/@aasha/" in page
    assert "/@just_a_viewer/" not in page


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("streams:reels", "No reels yet"),
        ("growth:leaderboards", "No creators yet"),
    ],
)
def test_public_pages_have_an_empty_state(client, url_name, expected):
    assert expected in client.get(reverse(url_name)).content.decode()


@pytest.mark.parametrize("url_name", ["economy:wallet", "streams:studio"])
def test_personal_pages_ask_visitors_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_wallet_shows_a_zero_balance_and_what_will_appear(client, user):
    client.force_login(user)
    page = client.get(reverse("economy:wallet")).content.decode()
    assert "Coin balance" in page
    assert "No transactions yet" in page


def test_the_leaderboard_ranks_creators_by_followers(client):
    quiet = UserFactory(username="quiet", is_creator=True)
    popular = UserFactory(username="popular", is_creator=True)
    for _ in range(3):
        FollowFactory(followee=popular)
    FollowFactory(followee=quiet)
    page = client.get(reverse("growth:leaderboards")).content.decode()
    assert page.index("@popular") < page.index("@quiet")
    assert "3 followers" in page


def test_list_pages_use_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(12):
        creator = UserFactory(is_creator=True)
        FollowFactory(followee=creator)
    # Live count + page, categories, upcoming, creators to follow.
    with django_assert_max_num_queries(5):
        client.get(reverse("home"))
    # Most followed; top earners (the ledger, then their people).
    with django_assert_max_num_queries(3):
        client.get(reverse("growth:leaderboards"))


def test_a_profile_page_shows_the_person_and_their_counts(client):
    star = UserFactory(
        username="star", display_name="Star Singer", bio="Hello fans", is_creator=True
    )
    FollowFactory(followee=star)
    page = client.get(reverse("users:profile", args=["star"])).content.decode()
    assert "Star Singer" in page and "@star" in page and "Hello fans" in page
    assert "<strong>1</strong> follower" in page


def test_an_unknown_profile_is_a_friendly_404(client):
    response = client.get(reverse("users:profile", args=["nobody_here"]))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_switching_language_renders_the_shell_in_nepali_for_visitors(client):
    response = client.post(reverse("set_language"), {"language": "ne", "next": "/"})
    assert response["Location"] == "/"
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="ne"' in page
    assert "लाइभ जानुहोस्" in page  # "Go Live"


@pytest.mark.parametrize(
    ("language", "go_live"),
    [("hi", "लाइव जाएँ"), ("pt-br", "Entrar ao vivo"), ("en", "Go Live")],
)
def test_the_shell_is_translated(client, language, go_live):
    client.post(reverse("set_language"), {"language": language})
    assert go_live in client.get(reverse("home")).content.decode()


def test_a_signed_in_users_language_choice_is_saved_and_follows_them(client, user):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "hi"})
    user.refresh_from_db()
    assert user.preferred_language == "hi"

    # A new browser without the cookie still gets Hindi after signing in.
    other_browser = client.__class__()
    other_browser.force_login(user)
    assert '<html lang="hi"' in other_browser.get(reverse("home")).content.decode()


def test_the_language_switch_refuses_offsite_redirects_and_unknown_languages(client):
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert '<html lang="en"' in client.get(reverse("home")).content.decode()


def test_times_are_shown_in_the_users_time_zone(client):
    user = UserFactory(time_zone="Asia/Kathmandu")
    client.force_login(user)
    assert "Times shown in Asia/Kathmandu" in client.get(reverse("home")).content.decode()


def test_visitors_get_the_time_zone_their_browser_reported(client, settings):
    client.cookies[settings.TIME_ZONE_COOKIE_NAME] = "America/Sao_Paulo"
    assert "Times shown in America/Sao_Paulo" in client.get(reverse("home")).content.decode()
    client.cookies[settings.TIME_ZONE_COOKIE_NAME] = "Not/AZone"
    assert "Times shown in UTC" in client.get(reverse("home")).content.decode()


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_front_end_libraries_come_from_our_static_files(client):
    page = client.get(reverse("home")).content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in page
    assert "cdn" not in page.lower()


def test_new_accounts_take_the_browser_time_zone(client, settings):
    client.cookies[settings.TIME_ZONE_COOKIE_NAME] = "Asia/Kolkata"
    client.post(
        reverse("account_signup"),
        {
            "email": "tz@example.com",
            "username": "tz_person",
            "password1": "correct-horse-battery-9",
            "password2": "correct-horse-battery-9",
        },
    )
    assert User.objects.get(username="tz_person").time_zone == "Asia/Kolkata"
