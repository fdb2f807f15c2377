"""Usernames, display names, bios and stream titles are checked when saved: the
site-wide blocked terms and AutoMod keep abuse off profiles and stream cards."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from streams.exceptions import StreamNotEditable
from streams.services.lifecycle import create_stream, update_stream
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.streams.factories import StreamFactory
from tests.trust.factories import BlockedTermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _blocked():
    BlockedTermFactory(term="zorblat", normalized="zorblat")


def test_a_display_name_or_bio_with_a_blocked_word_is_a_field_error(client):
    member = UserFactory(display_name="Asha")
    client.force_login(member)

    response = client.post(
        reverse("users:edit_profile"),
        {
            "display_name": "Z0RBLAT fan",
            "bio": "hello",
            "preferred_language": "en",
            "time_zone": "UTC",
        },
    )

    assert response.status_code == 200
    assert "does not allow" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Asha"


def test_an_offensive_bio_is_refused_through_the_api(client):
    client.force_login(UserFactory())
    response = client.patch(
        "/api/v1/me/", {"bio": "you are all fucking idiots"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "bio" in response.json()["extra"]["fields"]


def test_sign_up_refuses_a_username_with_a_blocked_word(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "username": "zorblat_king",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )
    assert "does not allow" in response.content.decode()
    assert not get_user_model().objects.filter(username="zorblat_king").exists()


def test_stream_titles_are_checked_when_created_and_renamed():
    host = UserFactory(is_creator=True)
    with pytest.raises(StreamNotEditable) as raised:
        create_stream(host=host, title="zorblat night")
    assert raised.value.code == "title_inappropriate"

    stream = StreamFactory(host=host, title="Friday jam")
    with pytest.raises(StreamNotEditable):
        update_stream(stream=stream, title="Friday zorblat")
    stream.refresh_from_db()
    assert stream.title == "Friday jam"


def test_ordinary_text_passes():
    host = UserFactory(is_creator=True)
    assert create_stream(host=host, title="Acoustic covers, requests welcome").pk
