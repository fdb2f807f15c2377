import pytest

from tests.streams.room_helpers import Sockets


@pytest.fixture
async def sockets():
    """Room sockets opened by a test, all closed at its end (room_helpers.Sockets)."""
    opened = Sockets()
    yield opened
    await opened.close_all()
