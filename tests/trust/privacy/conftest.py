import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Exports go to a folder of this test's own, not the checkout's var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.PRIVACY_POLICY_VERSION = "1.0"
    return settings.PRIVATE_MEDIA_ROOT
