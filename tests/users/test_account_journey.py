"""Sign-up → email verification → sign-in → edit profile → follow, as a visitor does it."""

import re
from io import BytesIO

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from halobuzz.users.models import Follow, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def sign_up(client, *, username="newcomer", email="newcomer@example.com"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "username": username,
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )


def confirmation_path_from_mailbox() -> str:
    assert len(mail.outbox) == 1
    match = CONFIRM_LINK.search(mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def png_upload(size=(800, 600), name="me.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_sign_up_sends_a_verification_email_and_blocks_sign_in_until_verified(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert mail.outbox[0].to == ["newcomer@example.com"]
    assert "HaloBuzz" in mail.outbox[0].subject
    user = User.objects.get(username="newcomer")
    assert not EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "newcomer", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_following_the_email_link_verifies_the_address(client):
    sign_up(client)
    confirm_path = confirmation_path_from_mailbox()

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "newcomer@example.com" in page.content.decode()

    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="newcomer@example.com").verified


def test_a_verified_user_signs_in_with_username_or_email(client):
    sign_up(client)
    client.post(confirmation_path_from_mailbox())
    client.logout()

    for login in ("newcomer", "newcomer@example.com"):
        response = client.post(
            reverse("account_login"), {"login": login, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert client.session["_auth_user_id"] == str(User.objects.get().pk)
        client.logout()


def test_sign_up_in_nepali_keeps_nepali_as_the_account_language(client):
    client.post(reverse("set_language"), {"language": "ne", "next": "/"})
    sign_up(client)
    assert User.objects.get(username="newcomer").preferred_language == "ne"


def test_sign_up_refuses_a_taken_username_with_a_field_error(client):
    UserFactory(username="taken")
    response = sign_up(client, username="taken", email="other@example.com")
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username="taken").count() == 1


def test_edit_profile_saves_fields_and_a_resized_avatar(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("users:edit_profile"),
        {
            "display_name": "Priya Live",
            "bio": "Singing every Friday.",
            "country": "IN",
            "preferred_language": "hi",
            "preferred_currency": "INR",
            "time_zone": "Asia/Kolkata",
            "avatar_upload": png_upload(),
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.country.code) == (
        "Priya Live",
        "Singing every Friday.",
        "IN",
    )
    assert (user.preferred_language, user.preferred_currency, user.time_zone) == (
        "hi",
        "INR",
        "Asia/Kolkata",
    )
    with Image.open(user.avatar.path) as avatar:
        assert avatar.size == (256, 256)
        assert avatar.format == "WEBP"


def test_edit_profile_with_a_fake_image_shows_a_field_error_and_changes_nothing(client):
    user = UserFactory(display_name="Before")
    client.force_login(user)
    not_an_image = SimpleUploadedFile("me.png", b"this is not a picture", "image/png")

    response = client.post(
        reverse("users:edit_profile"),
        {
            "display_name": "After",
            "bio": "",
            "country": "",
            "preferred_language": "en",
            "preferred_currency": "USD",
            "time_zone": "UTC",
            "avatar_upload": not_an_image,
        },
    )

    assert response.status_code == 200
    assert "not an image" in " ".join(response.context["form"].errors["avatar_upload"])
    user.refresh_from_db()
    assert user.display_name == "Before"
    assert not user.avatar


def test_edit_profile_with_an_unknown_time_zone_shows_a_field_error(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("users:edit_profile"),
        {
            "display_name": "x",
            "preferred_language": "en",
            "preferred_currency": "USD",
            "time_zone": "Mars/Olympus_Mons",
        },
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors


def test_a_signed_in_user_follows_and_unfollows_a_creator_from_the_profile(client):
    viewer, creator = UserFactory(), UserFactory(is_creator=True, username="star")
    client.force_login(viewer)
    profile_url = reverse("users:profile", args=["star"])
    follow_url = reverse("users:follow", args=["star"])

    assert "Follow" in client.get(profile_url).content.decode()
    response = client.post(follow_url, {"action": "follow"})
    assert response.status_code == 302
    assert Follow.objects.filter(follower=viewer, followee=creator).exists()
    page = client.get(profile_url).content.decode()
    assert 'aria-pressed="true"' in page
    assert "<strong>1</strong> follower" in page

    client.post(follow_url, {"action": "unfollow"})
    assert not Follow.objects.filter(follower=viewer, followee=creator).exists()


def test_following_with_htmx_returns_the_button_and_the_new_count(client):
    viewer = UserFactory()
    UserFactory(username="star")
    client.force_login(viewer)

    response = client.post(
        reverse("users:follow", args=["star"]), {"action": "follow"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'aria-pressed="true"' in html
    assert 'id="follower-count" hx-swap-oob="true"' in html
    assert "<strong>1</strong> follower" in html


def test_anonymous_visitors_are_sent_to_sign_in_to_follow(client):
    UserFactory(username="star")
    response = client.post(reverse("users:follow", args=["star"]), {"action": "follow"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Follow.objects.exists()
