"""Identity verification: creators send documents, the photos are checked and
stripped, stored privately, decided on by staff, and deleted after the retention."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from halobuzz.notifications.models import Notification
from tests.factories import UserFactory
from tests.trust.verification.factories import (
    CAMERA_MAKE,
    photo_upload,
    staff_with_permissions,
)
from trust.verification import services, tasks
from trust.verification.exceptions import (
    AlreadyVerified,
    InvalidDocument,
    NotAllowed,
    NotReviewable,
    TooManySubmissions,
    VerificationError,
)
from trust.verification.models import IdentityDocuments, Verification
from trust.verification.services import identity as identity_services

pytestmark = pytest.mark.django_db


def submit_passport(creator):
    """A passport (no back side) and a selfie, as the page sends them."""
    return services.submit_identity_verification(
        user=creator,
        document_type="passport",
        front=photo_upload(),
        back=None,
        selfie=photo_upload(),
    )


@pytest.fixture
def reviewer(db):
    return staff_with_permissions("review_verification", "view_identity_documents")


def stored_files(folder) -> list:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_a_creator_sends_documents_for_review(submitted_identity, private_media):
    verification = submitted_identity

    assert verification.status == Verification.Status.PENDING
    assert verification.kind == Verification.Kind.IDENTITY
    assert verification.evidence == {"document_type": "national_id"}
    documents = verification.identity_documents
    assert len(stored_files(private_media)) == 3
    for field in IdentityDocuments.IMAGE_FIELDS:
        image_file = getattr(documents, field)
        assert image_file.storage.path(image_file.name).startswith(str(private_media))


def test_photos_are_re_encoded_without_their_exif(submitted_identity):
    front = submitted_identity.identity_documents.front

    with front.open("rb"), Image.open(front) as image:
        assert image.format == "JPEG"
        assert CAMERA_MAKE not in str(dict(image.getexif()))
        assert not image.getexif()


def test_a_passport_needs_no_back(creator):
    verification = submit_passport(creator)

    assert not verification.identity_documents.back


def test_an_id_card_without_its_back_is_refused_on_that_field(creator):
    with pytest.raises(InvalidDocument, match="back of your document") as refused:
        services.submit_identity_verification(
            user=creator,
            document_type="driving_licence",
            front=photo_upload(),
            back=None,
            selfie=photo_upload(),
        )

    assert refused.value.extra == {"field": "back"}
    assert not Verification.objects.exists()


def test_a_file_that_only_claims_to_be_a_photo_is_refused(creator, private_media):
    fake = SimpleUploadedFile("selfie.jpg", b"#!/bin/sh\necho hello\n", content_type="image/jpeg")

    with pytest.raises(InvalidDocument, match="not an image") as refused:
        services.submit_identity_verification(
            user=creator, document_type="passport", front=photo_upload(), back=None, selfie=fake
        )

    assert refused.value.extra == {"field": "selfie"}
    assert not Verification.objects.exists()
    assert stored_files(private_media) == []


def test_photos_too_large_or_too_small_are_refused(creator, settings):
    settings.IDENTITY_DOCUMENT_MAX_UPLOAD_BYTES = 2_000
    with pytest.raises(InvalidDocument, match="larger than"):
        services.submit_identity_verification(
            user=creator,
            document_type="passport",
            front=photo_upload(size=(1200, 900)),
            back=None,
            selfie=photo_upload(size=(1200, 900)),
        )
    settings.IDENTITY_DOCUMENT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    with pytest.raises(InvalidDocument, match="too small to read"):
        services.submit_identity_verification(
            user=creator,
            document_type="passport",
            front=photo_upload(size=(120, 90)),
            back=None,
            selfie=photo_upload(),
        )


def test_members_who_are_not_creators_are_told_why_they_cannot(member):
    with pytest.raises(NotAllowed, match="for creators"):
        submit_passport(member)


def test_a_second_submission_waits_for_the_first_decision(submitted_identity, creator):
    with pytest.raises(VerificationError) as refused:
        submit_passport(creator)
    assert refused.value.code == "already_pending"


def test_staff_approve_and_the_creator_is_notified(submitted_identity, reviewer, creator):
    services.approve_verification(reviewer=reviewer, verification=submitted_identity)

    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.VERIFIED
    assert submitted_identity.reviewer == reviewer
    assert submitted_identity.decided_at is not None
    notification = Notification.objects.get(recipient=creator)
    assert notification.kind == Notification.Kind.VERIFICATION
    assert notification.title == "Your identity is verified"
    assert notification.url == "/trust/verification/"
    with pytest.raises(AlreadyVerified):
        submit_passport(creator)


def test_staff_reject_with_a_reason_the_creator_reads(submitted_identity, reviewer, creator):
    services.reject_verification(
        reviewer=reviewer,
        verification=submitted_identity,
        reason="The photo of the front is blurred; take it again in daylight.",
    )

    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.REJECTED
    assert submitted_identity.rejection_reason.startswith("The photo of the front is blurred")
    notification = Notification.objects.get(recipient=creator)
    assert notification.title == "We could not verify your identity"
    assert notification.body == submitted_identity.rejection_reason
    # They may send new photos.
    again = submit_passport(creator)
    assert again.status == Verification.Status.PENDING


def test_a_rejection_needs_a_reason(submitted_identity, reviewer):
    with pytest.raises(VerificationError) as refused:
        services.reject_verification(reviewer=reviewer, verification=submitted_identity, reason=" ")

    assert refused.value.code == "reason_required"
    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.PENDING


def test_only_reviewers_decide_and_only_once(submitted_identity, reviewer):
    for outsider in (UserFactory(), staff_with_permissions("view_identity_documents")):
        with pytest.raises(NotAllowed):
            services.approve_verification(reviewer=outsider, verification=submitted_identity)

    services.approve_verification(reviewer=reviewer, verification=submitted_identity)
    with pytest.raises(NotReviewable, match="already verified"):
        services.reject_verification(
            reviewer=reviewer, verification=submitted_identity, reason="Changed my mind."
        )


def test_layers_that_complete_by_themselves_are_not_staff_decisions(reviewer, member):
    email = services.sync_email_verification(user=member)

    with pytest.raises(NotReviewable):
        services.reject_verification(reviewer=reviewer, verification=email, reason="Looks odd.")


def test_creators_send_at_most_a_few_sets_a_day(creator, reviewer):
    for _day_attempt in range(settings.IDENTITY_SUBMISSIONS_PER_DAY):
        verification = submit_passport(creator)
        services.reject_verification(
            reviewer=reviewer, verification=verification, reason="Blurred, try again."
        )

    with pytest.raises(TooManySubmissions):
        submit_passport(creator)


def decided_days_ago(verification: Verification, days: int) -> None:
    Verification.objects.filter(pk=verification.pk).update(
        decided_at=timezone.now() - timedelta(days=days)
    )


def test_photos_are_deleted_the_set_number_of_days_after_the_decision(
    submitted_identity, reviewer, private_media
):
    services.approve_verification(reviewer=reviewer, verification=submitted_identity)
    decided_days_ago(submitted_identity, settings.IDENTITY_DOCUMENT_RETENTION_DAYS - 1)
    tasks.delete_old_identity_documents.delay()
    assert len(stored_files(private_media)) == 3

    decided_days_ago(submitted_identity, settings.IDENTITY_DOCUMENT_RETENTION_DAYS + 1)
    tasks.delete_old_identity_documents.delay()

    assert stored_files(private_media) == []
    documents = IdentityDocuments.objects.get(verification=submitted_identity)
    assert documents.deleted_at is not None
    assert not (documents.front or documents.back or documents.selfie)
    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.VERIFIED
    # Running again finds nothing to do.
    assert services.delete_old_identity_documents() == 0


def test_photos_awaiting_a_decision_are_kept(submitted_identity, private_media, settings):
    settings.IDENTITY_DOCUMENT_RETENTION_DAYS = 0

    assert services.delete_old_identity_documents() == 0
    assert len(stored_files(private_media)) == 3


def test_the_retention_is_a_setting(submitted_identity, reviewer, private_media, settings):
    settings.IDENTITY_DOCUMENT_RETENTION_DAYS = 7
    services.reject_verification(
        reviewer=reviewer, verification=submitted_identity, reason="Document expired."
    )
    decided_days_ago(submitted_identity, 8)

    assert services.delete_old_identity_documents() == 1
    assert stored_files(private_media) == []


def test_deleting_a_member_deletes_their_photos(
    submitted_identity, creator, private_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        creator.delete()

    assert stored_files(private_media) == []


def not_a_photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("front.jpg", b"#!/bin/sh\necho hello\n", content_type="image/jpeg")


def test_refused_photos_count_against_the_daily_allowance(creator, settings, monkeypatch):
    settings.IDENTITY_SUBMISSIONS_PER_DAY = 2
    for _attempt in range(2):
        with pytest.raises(InvalidDocument):
            services.submit_identity_verification(
                user=creator,
                document_type="passport",
                front=not_a_photo(),
                back=None,
                selfie=photo_upload(),
            )

    def must_not_decode(upload, *, label):
        raise AssertionError("photos were decoded past the allowance")

    monkeypatch.setattr(identity_services, "clean_document_image", must_not_decode)
    with pytest.raises(TooManySubmissions):
        submit_passport(creator)
    assert not Verification.objects.exists()


def test_two_submissions_at_once_leave_one_and_tell_the_other_it_is_pending(
    creator, private_media, monkeypatch
):
    decode = identity_services._clean_images

    def the_other_tab_lands_while_decoding(**kwargs):
        cleaned = decode(**kwargs)
        Verification.objects.create(user=creator, kind=Verification.Kind.IDENTITY)
        return cleaned

    monkeypatch.setattr(identity_services, "_clean_images", the_other_tab_lands_while_decoding)

    with pytest.raises(VerificationError) as refused:
        submit_passport(creator)

    assert refused.value.code == "already_pending"
    assert "still checking the documents you sent" in refused.value.message
    assert Verification.objects.filter(user=creator).count() == 1
    assert stored_files(private_media) == []
