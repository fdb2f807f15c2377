"""The host's chat settings page: modes, AutoMod, moderators and blocked words."""

import pytest
from django.urls import reverse

from streams.models import ChannelModerator, ChatSettings, RoomEvent
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from trust.models import BlockedTerm, ModerationAction

pytestmark = pytest.mark.django_db

URL = reverse("streams:chat-settings")


@pytest.fixture
def host(client):
    host = UserFactory(is_creator=True, username="maya")
    client.force_login(host)
    return host


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_page_shows_the_defaults(client, host):
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chat settings" in page
    assert 'name="slow_mode_seconds" value="0"' in page
    assert "No moderators yet" in page


def test_saving_modes_and_automod(client, host):
    response = client.post(
        URL,
        {
            "slow_mode_seconds": "30",
            "followers_only_minutes": "10",
            "emote_only": "on",
            "automod_threshold": "0.6",
            "automod_action": "reject",
        },
    )
    assert response.status_code == 302
    saved = ChatSettings.objects.get(channel=host)
    assert (saved.slow_mode_seconds, saved.followers_only_minutes, saved.emote_only) == (
        30,
        10,
        True,
    )
    assert (saved.automod_threshold, saved.automod_action) == (0.6, "reject")
    logged = ModerationAction.objects.get(kind="change_modes", channel=host)
    assert logged.details["slow_mode_seconds"] == 30


def test_turning_subscribers_only_on_and_off_tells_the_open_rooms(client, host):
    stream = LiveStreamFactory(host=host)
    assert 'name="subscribers_only"' in client.get(URL).content.decode()
    fields = {"slow_mode_seconds": "0", "automod_threshold": "0.8", "automod_action": "hold"}

    response = client.post(URL, {**fields, "subscribers_only": "on"})

    assert response.status_code == 302
    assert ChatSettings.objects.get(channel=host).subscribers_only is True
    logged = ModerationAction.objects.get(kind="change_modes", channel=host)
    assert logged.details["subscribers_only"] is True
    [announced] = RoomEvent.objects.filter(stream=stream)
    assert announced.frame["type"] == "room.modes"
    assert announced.frame["modes"]["subscribers_only"] is True

    client.post(URL, fields)

    assert ChatSettings.objects.get(channel=host).subscribers_only is False


def test_bad_values_show_field_errors_and_save_nothing(client, host):
    response = client.post(
        URL,
        {"slow_mode_seconds": "9999", "automod_threshold": "3", "automod_action": "hold"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('class="field__error"') >= 2
    assert not ChatSettings.objects.filter(channel=host).exists()


def test_adding_and_removing_a_moderator(client, host):
    ravi = UserFactory(username="ravi")
    response = client.post(reverse("streams:chat-add-moderator"), {"username": "@Ravi"})
    assert response.status_code == 302
    assert ChannelModerator.objects.filter(channel=host, moderator=ravi).exists()
    assert "@ravi" in client.get(URL).content.decode()

    response = client.post(reverse("streams:chat-remove-moderator", args=[ravi.pk]))
    assert response.status_code == 302
    assert not ChannelModerator.objects.filter(channel=host).exists()
    kinds = list(ModerationAction.objects.filter(channel=host).values_list("kind", flat=True))
    assert sorted(kinds) == ["add_moderator", "remove_moderator"]


def test_an_unknown_moderator_name_is_a_field_error(client, host):
    response = client.post(reverse("streams:chat-add-moderator"), {"username": "nobody_here"})
    assert response.status_code == 400
    assert "There is no user called nobody_here." in response.content.decode()


def test_adding_and_removing_a_blocked_word(client, host):
    response = client.post(reverse("streams:chat-add-term"), {"term": "Cringe"})
    assert response.status_code == 302
    term = BlockedTerm.objects.get(channel=host)
    assert term.term == "Cringe"
    assert "Cringe" in client.get(URL).content.decode()

    client.post(reverse("streams:chat-remove-term", args=[term.pk]))
    assert not BlockedTerm.objects.filter(channel=host).exists()


def test_a_host_cannot_remove_another_channels_word(client, host):
    other = UserFactory()
    from trust.services import add_blocked_term

    theirs = add_blocked_term(term="spoiler", channel=other, actor=other)
    client.post(reverse("streams:chat-remove-term", args=[theirs.pk]))
    assert BlockedTerm.objects.filter(pk=theirs.pk).exists()
