"""Celery tasks for trust and safety: each takes ids, calls a service and is safe to rerun."""

from celery import shared_task

from trust.badges import services as badges
from trust.scores import services as scores
from trust.services import image_moderation


@shared_task
def recompute_trust_score(user_id: int) -> None:
    score = scores.recompute_pending_trust_score(user_id=user_id)
    if score is not None:
        # Trusted Streamer depends on the level; the other badges on what changed.
        badges.evaluate_badges(user=score.user)


@shared_task
def recompute_all_trust_scores() -> int:
    return scores.recompute_all_trust_scores()


@shared_task
def evaluate_all_badges() -> int:
    return badges.evaluate_all_badges()


@shared_task
def moderate_stream_frame(frame_id: int) -> None:
    image_moderation.moderate_stream_frame(frame_id=frame_id)


@shared_task
def moderate_avatar(user_id: int, avatar_name: str) -> None:
    image_moderation.moderate_avatar(user_id=user_id, avatar_name=avatar_name)
