import pytest

from tests.trust.audit.factories import ANDROID_CHROME

MEMBER_IP = "203.0.113.7"


@pytest.fixture
def phone_client(client):
    """A test client that arrives from a known address with a known browser."""
    client.defaults.update(REMOTE_ADDR=MEMBER_IP, HTTP_USER_AGENT=ANDROID_CHROME)
    return client
