"""Factories and helpers for live-room tests: messages, moderators, bans, presence,
and a recorder for what the room broadcasts."""

import contextlib
import itertools
from dataclasses import dataclass, field
from datetime import timedelta

import factory
import pytest
from django.db import transaction
from django.utils import timezone

from streams import events
from streams.exceptions import RoomError
from streams.models import (
    ChannelBan,
    ChannelModerator,
    ChatMessage,
    ChatSettings,
    Emote,
    RegionalModerator,
    RoomPresence,
)
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

_channel_names = itertools.count(1)


class ChatMessageFactory(factory.django.DjangoModelFactory):
    """A visible message numbered like one the room showed (it takes the room's next
    seq, without an event or a broadcast)."""

    class Meta:
        model = ChatMessage

    stream = factory.SubFactory(LiveStreamFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"message number {n}")
    status = ChatMessage.Status.VISIBLE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with transaction.atomic():
            if kwargs.get("status") == ChatMessage.Status.VISIBLE and kwargs.get("seq") is None:
                kwargs["seq"] = events.take_next_seq(stream_id=kwargs["stream"].pk)
            return super()._create(model_class, *args, **kwargs)


class HeldMessageFactory(ChatMessageFactory):
    """A message AutoMod is holding for review."""

    status = ChatMessage.Status.HELD
    automod_score = 0.93
    automod_reason = "profanity_model"


class ChannelModeratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelModerator

    channel = factory.SubFactory(UserFactory, is_creator=True)
    moderator = factory.SubFactory(UserFactory)
    appointed_by = factory.SelfAttribute("channel")


class RegionalModeratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalModerator

    moderator = factory.SubFactory(UserFactory)
    region = RegionalModerator.Region.BRAZIL


class ChannelBanFactory(factory.django.DjangoModelFactory):
    """A channel ban with no end; pass `expires_at` (or use TimeoutFactory) for a timeout."""

    class Meta:
        model = ChannelBan

    channel = factory.SubFactory(UserFactory, is_creator=True)
    user = factory.SubFactory(UserFactory)
    expires_at = None
    reason = "spam"


class TimeoutFactory(ChannelBanFactory):
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=10))


class ChannelEmoteFactory(factory.django.DjangoModelFactory):
    """A channel's own emote (reusing a built-in image so no upload is needed)."""

    class Meta:
        model = Emote

    channel = factory.SubFactory(UserFactory, is_creator=True)
    code = factory.Sequence(lambda n: f"channel_emote_{n}")
    name = factory.LazyAttribute(lambda emote: emote.code.replace("_", " ").title())
    builtin_image = "streams/emotes/heart.svg"


class RoomPresenceFactory(factory.django.DjangoModelFactory):
    """One open room socket (user None: a visitor who is not signed in)."""

    class Meta:
        model = RoomPresence

    stream = factory.SubFactory(LiveStreamFactory)
    channel_name = factory.LazyFunction(lambda: f"specific.test!socket{next(_channel_names)}")
    user = factory.SubFactory(UserFactory)
    last_seen_at = factory.LazyFunction(timezone.now)


def chat_settings(channel, **fields) -> ChatSettings:
    """Set a channel's chat settings directly (the services are tested on their own)."""
    found, _created = ChatSettings.objects.update_or_create(channel=channel, defaults=fields)
    return found


@dataclass
class Broadcasts:
    """What reached `streams.events.send_to_group` or `send_frames_to_group`: (group,
    frame) in order."""

    sent: list[tuple[str, dict]] = field(default_factory=list)

    def record(self, group: str, frame: dict) -> None:
        self.sent.append((group, frame))

    def record_many(self, group: str, frames: list[dict]) -> None:
        self.sent.extend((group, frame) for frame in frames)

    def to(self, group: str) -> list[dict]:
        return [frame for sent_to, frame in self.sent if sent_to == group]

    def types(self, group: str | None = None) -> list[str]:
        return [frame["type"] for sent_to, frame in self.sent if group in (None, sent_to)]

    def of_type(self, event_type: str) -> list[dict]:
        return [frame for _group, frame in self.sent if frame["type"] == event_type]

    def clear(self) -> None:
        self.sent.clear()


def capture_broadcasts(monkeypatch) -> Broadcasts:
    """Record broadcasts instead of sending them. On-commit callbacks still need
    `django_capture_on_commit_callbacks(execute=True)` to run in a test transaction."""
    recorder = Broadcasts()
    monkeypatch.setattr(events, "send_to_group", recorder.record)
    monkeypatch.setattr(events, "send_frames_to_group", recorder.record_many)
    return recorder


@contextlib.contextmanager
def refused(code: str):
    """Expect a RoomError with this protocol code; yields pytest's ExceptionInfo."""
    with pytest.raises(RoomError) as caught:
        yield caught
    assert caught.value.code == code, f"{caught.value.code} ({caught.value.message})"


class Clock:
    """A frozen `timezone.now` that tests move forward."""

    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def freeze_clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock
