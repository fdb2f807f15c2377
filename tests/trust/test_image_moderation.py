"""AI moderation of stream frames and avatars, with the real model loaded offline:
a frame the model flags interrupts the stream and opens a case; one it passes does not."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from halobuzz.notifications.models import Notification
from halobuzz.users.mfa import ensure_totp
from halobuzz.users.services import update_profile
from streams.models import Stream, ThumbnailFrame
from streams.services.media import list_streams_due_a_thumbnail
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.trust.factories import staff_in_role
from tests.trust.vision.conftest import image_bytes
from trust.models import Case, ImageScan, ModerationAction
from trust.roles import FINANCE, MODERATOR
from trust.services.image_moderation import moderate_stream_frame
from trust.services.reports import report_target

pytestmark = pytest.mark.django_db

EXPLICIT = "render-front-tone2.jpg"
HARMLESS = "photo-astronaut.jpg"


def captured_frame(stream, name: str, *, seconds_ago: int = 0) -> ThumbnailFrame:
    frame = ThumbnailFrame(
        stream=stream, captured_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    frame.image.save(f"{stream.public_id}-{name}", ContentFile(image_bytes(name)), save=True)
    stream.thumbnail.save(f"{stream.public_id}.jpg", ContentFile(image_bytes(name)), save=True)
    return frame


def test_a_frame_the_model_passes_leaves_the_stream_alone():
    stream = LiveStreamFactory()
    frame = captured_frame(stream, HARMLESS)

    assert moderate_stream_frame(frame_id=frame.pk) is None

    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE and stream.thumbnail
    assert not ImageScan.objects.exists() and not Case.objects.exists()


def test_a_frame_above_the_block_threshold_interrupts_the_stream_and_opens_a_case(
    django_capture_on_commit_callbacks,
):
    stream = LiveStreamFactory(current_viewers=25)
    frame = captured_frame(stream, EXPLICIT)

    with django_capture_on_commit_callbacks(execute=True):
        scan = moderate_stream_frame(frame_id=frame.pk)

    assert scan.decision == ImageScan.Decision.BLOCK
    assert scan.score >= 0.8 and scan.model_version.startswith("nudenet")
    assert scan.image.read() == image_bytes(EXPLICIT)  # kept privately for moderators
    stream.refresh_from_db()
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.AUTOMATIC_CHECKS
    assert not stream.thumbnail
    assert not ThumbnailFrame.objects.filter(pk=frame.pk).exists()
    case = Case.objects.get()
    assert case.stream == stream and case.subject == stream.host and case.is_open
    assert case.signals[0]["scan_id"] == scan.pk
    assert case.signals[0]["model_version"] == scan.model_version
    action = ModerationAction.objects.get(kind="ai_block")
    assert action.actor is None and action.case == case
    notice = Notification.objects.get(recipient=stream.host)
    assert "interrupted your stream" in notice.title


def test_a_frame_between_the_thresholds_goes_to_review_without_interrupting(settings):
    settings.MODERATION_BLOCK_THRESHOLD = 1.0
    stream = LiveStreamFactory()
    report_target(
        reporter=UserFactory(), target_kind="stream", target_id=stream.pk, reason="nudity"
    )
    frame = captured_frame(stream, EXPLICIT)

    scan = moderate_stream_frame(frame_id=frame.pk)

    assert scan.decision == ImageScan.Decision.REVIEW
    assert Stream.objects.get(pk=stream.pk).status == Stream.Status.LIVE
    case = Case.objects.get()  # the report's case gained the AI's finding
    assert case.report_count == 1 and len(case.signals) == 1


def test_an_explicit_avatar_is_removed_and_a_harmless_one_stays(
    django_capture_on_commit_callbacks,
):
    member = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(
            user=member,
            avatar_upload=SimpleUploadedFile("me.jpg", image_bytes(HARMLESS), "image/jpeg"),
        )
    member.refresh_from_db()
    assert member.avatar

    with django_capture_on_commit_callbacks(execute=True):
        update_profile(
            user=member,
            avatar_upload=SimpleUploadedFile("me.jpg", image_bytes(EXPLICIT), "image/jpeg"),
        )

    member.refresh_from_db()
    assert not member.avatar
    scan = ImageScan.objects.get()
    assert scan.subject_kind == ImageScan.SubjectKind.AVATAR and scan.owner == member
    assert Case.objects.get().target_kind == Case.TargetKind.USER
    assert ModerationAction.objects.get(kind="ai_block").target_user == member


def test_reported_streams_are_captured_every_10_seconds_others_every_30():
    quiet = LiveStreamFactory()
    reported = LiveStreamFactory()
    fresh = LiveStreamFactory()
    for stream in (quiet, reported):
        ThumbnailFrame.objects.create(
            stream=stream, captured_at=timezone.now() - timedelta(seconds=15), image="frames/x.jpg"
        )
    ThumbnailFrame.objects.create(stream=fresh, captured_at=timezone.now(), image="frames/y.jpg")
    never = LiveStreamFactory()
    report_target(
        reporter=UserFactory(), target_kind="stream", target_id=reported.pk, reason="hate"
    )

    assert sorted(list_streams_due_a_thumbnail()) == sorted([reported.pk, never.pk])


def test_moderators_see_the_flagged_frame_in_the_case_and_nobody_else_can(client):
    stream = LiveStreamFactory()
    scan = moderate_stream_frame(frame_id=captured_frame(stream, EXPLICIT).pk)
    image_url = f"/admin/trust/imagescan/{scan.pk}/image/"

    assert client.get(image_url).status_code == 302  # to the sign-in page
    client.force_login(UserFactory())
    assert client.get(image_url).status_code == 302
    finance = staff_in_role(FINANCE)
    ensure_totp(user=finance)
    client.force_login(finance)
    assert client.get(image_url).status_code == 403

    moderator = staff_in_role(MODERATOR)
    ensure_totp(user=moderator)
    client.force_login(moderator)
    review_response = client.get(f"/admin/trust/case/{scan.case_id}/change/")
    assert review_response.status_code == 200, review_response
    review = review_response.content.decode()
    assert image_url in review and scan.model_version in review
    response = client.get(image_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image_bytes(EXPLICIT)
    assert "no-store" in response["Cache-Control"]
    assert scan.image.storage.base_url is None  # no public URL exists
