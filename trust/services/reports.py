"""Viewers' reports: each one joins the open case for its target, or opens one.

A case's priority ranks the moderation queue: severity first (a minor at risk before
spam), then reach (a live stream with viewers before an old chat message), then how
many people reported it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from halobuzz.core import ratelimit
from streams.models import ChatMessage, Stream
from trust.exceptions import (
    AlreadyReported,
    InvalidReport,
    ReportsTooFrequent,
    ReportTargetNotFound,
)
from trust.models import Case, Report
from trust.models.cases import NOTE_MAX_LENGTH

# How serious each reason is, 1 (least) to 5: it ranks the queue before anything else.
REASON_SEVERITY = {
    Report.Reason.MINOR_AT_RISK: 5,
    Report.Reason.NUDITY: 4,
    Report.Reason.VIOLENCE: 4,
    Report.Reason.HATE: 3,
    Report.Reason.HARASSMENT: 3,
    Report.Reason.SCAM: 3,
    Report.Reason.COPYRIGHT: 2,
    Report.Reason.SPAM: 1,
    Report.Reason.OTHER: 1,
}
SEVERITY_WEIGHT = 10_000
LIVE_WEIGHT = 5_000
MAX_COUNTED_VIEWERS = 4_000
MAX_COUNTED_REPORTS = 999


def case_priority(*, severity: int, is_live: bool, viewers: int, report_count: int) -> int:
    """Severity outranks everything; then live with its audience; then the report count."""
    priority = severity * SEVERITY_WEIGHT + min(report_count, MAX_COUNTED_REPORTS)
    if is_live:
        priority += LIVE_WEIGHT + min(viewers, MAX_COUNTED_VIEWERS)
    return priority


@dataclass(frozen=True)
class ReportTarget:
    kind: str
    key: str
    subject: object | None
    stream: Stream | None = None
    chat_message: ChatMessage | None = None


def resolve_report_target(*, target_kind: str, target_id) -> ReportTarget:
    """What a report about (`target_kind`, `target_id`) is about; `ReportTargetNotFound`
    for anything that does not exist or can no longer be seen."""
    try:
        target_id = int(target_id)
    except (TypeError, ValueError) as error:
        raise ReportTargetNotFound() from error
    if target_kind == Case.TargetKind.STREAM:
        stream = Stream.objects.select_related("host").filter(pk=target_id).first()
        if stream is None:
            raise ReportTargetNotFound()
        return ReportTarget(
            kind=target_kind, key=f"stream:{stream.pk}", subject=stream.host, stream=stream
        )
    if target_kind == Case.TargetKind.CHAT_MESSAGE:
        message = (
            ChatMessage.objects.select_related("author", "stream")
            .filter(pk=target_id, status=ChatMessage.Status.VISIBLE)
            .first()
        )
        if message is None:
            raise ReportTargetNotFound()
        return ReportTarget(
            kind=target_kind,
            key=f"chat_message:{message.pk}",
            subject=message.author,
            stream=message.stream,
            chat_message=message,
        )
    if target_kind == Case.TargetKind.USER:
        user = get_user_model().objects.filter(pk=target_id, is_active=True).first()
        if user is None:
            raise ReportTargetNotFound()
        return ReportTarget(kind=target_kind, key=f"user:{user.pk}", subject=user)
    raise ReportTargetNotFound()


def _check_report(*, reporter, target: ReportTarget, reason: str, note: str) -> str:
    if reason not in Report.Reason.values:
        raise InvalidReport(_("Choose why you are reporting this."), code="reason_required")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidReport(
            _("The note can be at most %(limit)d characters long.") % {"limit": NOTE_MAX_LENGTH},
            code="note_too_long",
        )
    if reason == Report.Reason.OTHER and not note:
        raise InvalidReport(
            _("Tell us what is wrong in the note when you choose “Something else”."),
            code="note_required",
        )
    if target.subject is not None and target.subject.pk == reporter.pk:
        raise InvalidReport(_("You cannot report yourself."), code="cannot_report_self")
    return note


def _take_report_token(*, reporter) -> None:
    wait = ratelimit.consume(
        key=f"trust.report:{reporter.pk}",
        per_second=settings.REPORTS_PER_HOUR / 3600,
        burst=settings.REPORTS_BURST,
    )
    if wait:
        raise ReportsTooFrequent(retry_after_seconds=int(wait) + 1)


def report_target(*, reporter, target_kind: str, target_id, reason: str, note: str = "") -> Report:
    """File `reporter`'s report. Raises `ReportTargetNotFound`, `InvalidReport`
    (``reason_required``, ``note_too_long``, ``note_required``, ``cannot_report_self``),
    `AlreadyReported` (this reporter already reported the open case) or
    `ReportsTooFrequent` (the rate limit; checked last, so refused reports cost nothing).
    """
    target = resolve_report_target(target_kind=target_kind, target_id=target_id)
    note = _check_report(reporter=reporter, target=target, reason=reason, note=note)
    _take_report_token(reporter=reporter)
    for attempt in range(2):
        try:
            return _file_report(reporter=reporter, target=target, reason=reason, note=note)
        except IntegrityError:
            # Another report opened the case at the same moment; join it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _lock_or_open_case(target: ReportTarget) -> Case:
    """The target's open case, locked, or a new one (caller's transaction; a racing
    opener makes the insert fail with IntegrityError, and the caller retries)."""
    case = (
        Case.objects.select_for_update()
        .filter(target_key=target.key, status__in=Case.OPEN_STATUSES)
        .first()
    )
    if case is not None:
        return case
    return Case.objects.create(
        target_kind=target.kind,
        target_key=target.key,
        subject=target.subject,
        stream=target.stream,
        chat_message=target.chat_message,
    )


def _rank(case: Case, *, target: ReportTarget, severity: int) -> None:
    case.severity = max(case.severity, severity)
    stream = target.stream
    is_live = stream is not None and stream.is_active and target.kind == Case.TargetKind.STREAM
    case.reach = stream.current_viewers if is_live else case.reach
    case.priority = case_priority(
        severity=case.severity,
        is_live=is_live,
        viewers=case.reach,
        report_count=case.report_count,
    )


@transaction.atomic
def _file_report(*, reporter, target: ReportTarget, reason: str, note: str) -> Report:
    case = _lock_or_open_case(target)
    if case.report_count and Report.objects.filter(case=case, reporter=reporter).exists():
        raise AlreadyReported()
    report = Report.objects.create(case=case, reporter=reporter, reason=reason, note=note)
    case.report_count += 1
    _rank(case, target=target, severity=REASON_SEVERITY[reason])
    case.save(update_fields=["report_count", "severity", "reach", "priority"])
    return report


def add_signal_to_case(*, target_kind: str, target_id: int, signal: dict, severity: int) -> Case:
    """Add an automatic finding (AI or AutoMod) to the target's open case, opening one.

    Runs in the caller's transaction, inside a savepoint so a racing opener can be
    joined instead of failing the caller."""
    target = resolve_report_target(target_kind=target_kind, target_id=target_id)
    for attempt in range(2):
        try:
            with transaction.atomic():
                case = _lock_or_open_case(target)
                case.signals = [*case.signals, signal]
                _rank(case, target=target, severity=severity)
                case.save(update_fields=["signals", "severity", "reach", "priority"])
                return case
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")
