"""AI moderation of images: live stream frames and avatars, scored by `trust.vision`.

Runs in Celery workers on the ``moderation`` queue (add workers to scan more). For
each image: score it, decide with the configured thresholds, and

- pass: log the decision (score, model version) and stop;
- review: keep a private copy of the image with its score and model version
  (`ImageScan`) and add the finding to the subject's moderation case (opening one);
- block: as review, and take the image off the site. A blocked stream frame clears
  the stream's thumbnail and interrupts the stream: it ends, the host is told why (an
  appealable ``ai_block`` decision) and moderators find the frame in the case.
  A blocked avatar is removed.

The classification runs outside any transaction (about 25 ms a frame on one core,
docs/benchmarks.md); each decision's writes are one transaction.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from streams.models import Stream, ThumbnailFrame
from streams.services import lifecycle
from trust import vision
from trust.models import Case, ImageScan, ModerationAction
from trust.services.cases import _notify_subject
from trust.services.chat_safety import record_moderation_action
from trust.services.reports import add_signal_to_case

logger = logging.getLogger(__name__)

# Explicit imagery ranks with nudity reports in the queue.
NSFW_SEVERITY = 4


def _scan(*, image_bytes: bytes, what: str) -> tuple[vision.ImageVerdict, str] | None:
    try:
        verdict = vision.classify_image(image_bytes)
    except vision.InvalidImage:
        logger.warning("image moderation could not read %s", what)
        return None
    decision = vision.decide(verdict.score)
    logger.info(
        "image moderated",
        extra={"subject": what, "decision": str(decision), **verdict.as_log_fields()},
    )
    return verdict, str(decision)


def _record(*, verdict, decision, subject_kind, owner, stream, image_bytes, name) -> ImageScan:
    scan = ImageScan(
        subject_kind=subject_kind,
        owner=owner,
        stream=stream,
        score=verdict.score,
        labels=verdict.as_log_fields()["labels"],
        model_version=verdict.model_version,
        decision=decision,
        elapsed_ms=verdict.elapsed_ms,
    )
    scan.image.save(name, ContentFile(image_bytes), save=False)
    scan.save()
    return scan


def _signal(scan: ImageScan) -> dict:
    return {
        "source": f"nsfw:{scan.subject_kind}",
        "score": round(scan.score, 4),
        "model_version": scan.model_version,
        "decision": scan.decision,
        "scan_id": scan.pk,
        "at": timezone.now().isoformat(),
    }


def moderate_stream_frame(*, frame_id: int) -> ImageScan | None:
    """Scan one captured frame of a live stream (see the module docstring)."""
    frame = ThumbnailFrame.objects.select_related("stream__host").filter(pk=frame_id).first()
    if frame is None or not frame.image:
        return None
    with frame.image.open("rb") as handle:
        image_bytes = handle.read()
    scanned = _scan(image_bytes=image_bytes, what=f"stream {frame.stream_id} frame {frame.pk}")
    if scanned is None or scanned[1] == vision.Decision.PASS:
        return None
    verdict, decision = scanned
    stream = frame.stream
    with transaction.atomic():
        scan = _record(
            verdict=verdict,
            decision=decision,
            subject_kind=ImageScan.SubjectKind.STREAM_FRAME,
            owner=stream.host,
            stream=stream,
            image_bytes=image_bytes,
            name=f"{stream.public_id}-{frame.pk}.jpg",
        )
        case = add_signal_to_case(
            target_kind=Case.TargetKind.STREAM,
            target_id=stream.pk,
            signal=_signal(scan),
            severity=NSFW_SEVERITY,
        )
        scan.case = case
        scan.save(update_fields=["case"])
        if decision == vision.Decision.BLOCK:
            _block_stream_frame(stream=stream, frame=frame, scan=scan, case=case)
    return scan


def _block_stream_frame(*, stream: Stream, frame: ThumbnailFrame, scan, case) -> None:
    if stream.thumbnail:
        stream.thumbnail.delete(save=False)
        Stream.objects.filter(pk=stream.pk).update(thumbnail="")
    frame.image.delete(save=False)
    frame.delete()
    if not stream.is_active:
        return
    lifecycle.end_stream(stream=stream, reason=Stream.EndReason.AUTOMATIC_CHECKS)
    action = record_moderation_action(
        kind=ModerationAction.Kind.AI_BLOCK,
        target_user=stream.host,
        stream=stream,
        case=case,
        reason="Our automatic checks found explicit imagery in your stream.",
        details={"score": round(scan.score, 4), "model_version": scan.model_version},
    )
    _notify_subject(action=action)


def moderate_avatar(*, user_id: int, avatar_name: str) -> ImageScan | None:
    """Scan a newly uploaded avatar; skips if the member changed it again since."""
    from halobuzz.users.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None or user.avatar.name != avatar_name:
        return None
    with user.avatar.open("rb") as handle:
        image_bytes = handle.read()
    scanned = _scan(image_bytes=image_bytes, what=f"avatar of user {user.pk}")
    if scanned is None or scanned[1] == vision.Decision.PASS:
        return None
    verdict, decision = scanned
    with transaction.atomic():
        scan = _record(
            verdict=verdict,
            decision=decision,
            subject_kind=ImageScan.SubjectKind.AVATAR,
            owner=user,
            stream=None,
            image_bytes=image_bytes,
            name=f"avatar-{user.pk}.webp",
        )
        case = add_signal_to_case(
            target_kind=Case.TargetKind.USER,
            target_id=user.pk,
            signal=_signal(scan),
            severity=NSFW_SEVERITY,
        )
        scan.case = case
        scan.save(update_fields=["case"])
        if decision == vision.Decision.BLOCK:
            user.avatar.delete(save=False)
            type(user).objects.filter(pk=user.pk, avatar=avatar_name).update(avatar="")
            action = record_moderation_action(
                kind=ModerationAction.Kind.AI_BLOCK,
                target_user=user,
                case=case,
                reason="Our automatic checks found explicit imagery in your profile picture.",
                details={"score": round(scan.score, 4), "model_version": scan.model_version},
            )
            _notify_subject(action=action)
    return scan
