"""Reads for moderation cases (the console) and for members' own decisions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from streams.models import ChatMessage, ThumbnailFrame
from trust.exceptions import CaseNotFound
from trust.models import Case, ModerationAction, Report

# Messages shown either side of a reported one, and frames of a reported stream.
CHAT_CONTEXT_MESSAGES = 5
FRAMES_SHOWN = 6
PRIOR_ACTIONS_SHOWN = 10


def streams_under_review(*, stream_ids) -> set[int]:
    """Which of these streams have an open moderation case (their frames are captured
    and scanned more often)."""
    return set(
        Case.objects.filter(
            stream_id__in=stream_ids,
            target_kind=Case.TargetKind.STREAM,
            status__in=Case.OPEN_STATUSES,
        ).values_list("stream_id", flat=True)
    )


def get_case_for_review(*, case_id: int) -> dict:
    """Everything a moderator needs to decide a case, in a handful of queries."""
    case = (
        Case.objects.select_related("subject", "stream", "chat_message__author", "closed_by")
        .prefetch_related(
            Prefetch("reports", queryset=Report.objects.select_related("reporter")),
            Prefetch(
                "actions",
                queryset=ModerationAction.objects.select_related("actor").order_by("created_at"),
            ),
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise CaseNotFound()
    reasons: dict[str, int] = {}
    for report in case.reports.all():
        label = report.get_reason_display()
        reasons[label] = reasons.get(label, 0) + 1
    chat_context = []
    if case.chat_message_id:
        around = ChatMessage.objects.filter(stream_id=case.chat_message.stream_id).select_related(
            "author"
        )
        before = list(
            around.filter(pk__lt=case.chat_message_id).order_by("-pk")[:CHAT_CONTEXT_MESSAGES]
        )
        after = list(
            around.filter(pk__gte=case.chat_message_id).order_by("pk")[: CHAT_CONTEXT_MESSAGES + 1]
        )
        chat_context = [*reversed(before), *after]
    frames = []
    if case.stream_id:
        frames = list(
            ThumbnailFrame.objects.filter(stream_id=case.stream_id).order_by("-captured_at")[
                :FRAMES_SHOWN
            ]
        )
    prior_actions = []
    if case.subject_id:
        prior_actions = list(
            ModerationAction.objects.filter(target_user_id=case.subject_id)
            .exclude(case_id=case.pk)
            .select_related("actor")[:PRIOR_ACTIONS_SHOWN]
        )
    return {
        "case": case,
        "reasons": sorted(reasons.items(), key=lambda item: -item[1]),
        "chat_context": chat_context,
        "frames": frames,
        "prior_actions": prior_actions,
    }


def list_decisions_about(*, user) -> QuerySet[ModerationAction]:
    """Decisions a member can see (and appeal): those about them, newest first."""
    return (
        ModerationAction.objects.filter(
            target_user=user, kind__in=ModerationAction.APPEALABLE_KINDS
        )
        .select_related("stream", "appeal")
        .order_by("-created_at")
    )


def get_decision_about(*, user, action_id: int) -> ModerationAction | None:
    return list_decisions_about(user=user).filter(pk=action_id).first()
