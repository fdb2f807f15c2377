import pytest

from tests.factories import UserFactory
from tests.trust.verification.factories import photo_upload
from trust.verification.models import Verification
from trust.verification.services import submit_identity_verification


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Identity documents go to a folder of this test's own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def sms_dev(settings):
    """Phone codes go through the dev provider (test settings run with DEBUG off)."""
    settings.SMS_PROVIDER = "dev"
    settings.SMS_DEV_PROVIDER_WITHOUT_DEBUG = True


@pytest.fixture
def member(db):
    return UserFactory(username="asha", country="NP")


@pytest.fixture
def creator(db):
    return UserFactory(username="aasha_sings", is_creator=True)


@pytest.fixture
def submitted_identity(creator) -> Verification:
    """`creator` sent a national ID card, front and back, and a selfie."""
    return submit_identity_verification(
        user=creator,
        document_type="national_id",
        front=photo_upload("front.jpg"),
        back=photo_upload("back.png", image_format="PNG"),
        selfie=photo_upload("selfie.webp", image_format="WEBP"),
    )
