"""The console's live-room pages: messages, reviews and regional moderators."""

from unittest import mock

import pytest
from django.urls import reverse

from streams.models import ChatMessage, Emote, RegionalModerator
from streams.services.chat import post_chat_message
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.test_admin import operator, page, run_action  # noqa: F401
from trust.models import ModerationAction

pytestmark = pytest.mark.django_db


def test_messages_are_searchable(client, operator):  # noqa: F811
    stream = LiveStreamFactory()
    post_chat_message(stream_id=stream.pk, author=UserFactory(), body="obrigado pela live")
    post_chat_message(stream_id=stream.pk, author=UserFactory(), body="namaste everyone")
    listing = page(client, reverse("admin:streams_chatmessage_changelist") + "?q=obrigado")
    assert "obrigado pela live" in listing
    assert "namaste everyone" not in listing


def test_deleting_messages_from_the_console_reaches_the_room_and_the_log(
    client,
    operator,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    stream = LiveStreamFactory()
    posted = post_chat_message(stream_id=stream.pk, author=UserFactory(), body="spam spam")
    with (
        mock.patch("streams.events.send_to_group") as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notes = run_action(client, "chatmessage", "delete_messages", [posted.message])
    assert notes == ["1 message deleted."]
    assert ChatMessage.objects.get(pk=posted.message.pk).status == "deleted"
    frames = [call.args[1] for call in sent.call_args_list]
    assert {"type": "chat.deleted", "message_id": posted.message.pk}.items() <= frames[0].items()
    action = ModerationAction.objects.get(kind="delete_message")
    assert action.actor == operator


def test_staff_appoint_regional_moderators(client, operator):  # noqa: F811
    moderator = UserFactory()
    response = client.post(
        reverse("admin:streams_regionalmoderator_add"),
        {"moderator": moderator.pk, "region": "nepal"},
    )
    assert response.status_code == 302
    assert RegionalModerator.objects.filter(moderator=moderator, region="nepal").exists()
    assert ModerationAction.objects.filter(kind="add_moderator", target_user=moderator).exists()


def test_the_seeded_emotes_are_listed(client, operator):  # noqa: F811
    listing = page(client, reverse("admin:streams_emote_changelist"))
    for code in ("saudade", "festa", "futebol", "dashain", "diwali"):
        assert Emote.objects.filter(code=code, channel__isnull=True).exists()
        assert code in listing
