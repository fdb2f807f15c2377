import pytest

from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import ChannelModeratorFactory, capture_broadcasts
from tests.streams.room_helpers import Sockets


@pytest.fixture
def stream():
    """A live stream (a module may define its own)."""
    return LiveStreamFactory()


@pytest.fixture
def host(stream):
    return stream.host


@pytest.fixture
def viewer():
    return UserFactory()


@pytest.fixture
def moderator(stream):
    """A moderator the stream's host appointed."""
    return ChannelModeratorFactory(channel=stream.host).moderator


@pytest.fixture
def broadcasts(monkeypatch):
    """The frames services broadcast, captured instead of sent (room_factories)."""
    return capture_broadcasts(monkeypatch)


@pytest.fixture
async def sockets():
    """Room sockets opened by a test, all closed at its end (room_helpers.Sockets)."""
    opened = Sockets()
    yield opened
    await opened.close_all()
