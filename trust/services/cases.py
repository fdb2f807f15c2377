"""Moderators' decisions on cases: dismiss, warn, remove content, end the stream,
suspend, ban, escalate.

Each decision happens in one transaction together with its `ModerationAction`, the
case's new status and the reports' outcome, so it never half-happens. The member it
affects is told (and may appeal once); the people whose reports were upheld are
thanked. Notifications and the trust score update are part of the same transaction
or scheduled after commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from halobuzz.notifications.models import Notification
from halobuzz.notifications.services import notify_users
from streams.models import Stream
from streams.services import chat as chat_services
from streams.services import lifecycle
from trust.exceptions import CaseNotFound, InvalidCaseAction, NotAllowed
from trust.models import Case, ModerationAction
from trust.scores.services import schedule_trust_recompute
from trust.services.chat_safety import ban_user_sitewide, record_moderation_action

Kind = ModerationAction.Kind

# The decisions a moderator can take on a case, in the order the console offers them.
CASE_ACTIONS = (
    Kind.DISMISS,
    Kind.WARN,
    Kind.REMOVE_CONTENT,
    Kind.END_STREAM,
    Kind.SUSPEND,
    Kind.SITE_BAN,
    Kind.ESCALATE,
)
# These close the case with the reports upheld; dismiss closes it with them rejected.
UPHOLDING_ACTIONS = (Kind.WARN, Kind.REMOVE_CONTENT, Kind.END_STREAM, Kind.SUSPEND, Kind.SITE_BAN)


def may_moderate(user) -> bool:
    return bool(user and user.is_active and user.has_perm("trust.moderate_case"))


def may_decide_escalated(user) -> bool:
    return bool(user and user.is_active and user.has_perm("trust.decide_escalated_case"))


def _check_permission(*, moderator, case: Case, action: str, suspend_days: int | None) -> None:
    if not may_moderate(moderator):
        raise NotAllowed(_("Only moderators can act on cases."))
    senior_reasons = []
    if case.status == Case.Status.ESCALATED:
        senior_reasons.append(_("This case was escalated to a senior moderator."))
    if action == Kind.SITE_BAN:
        senior_reasons.append(_("Only senior moderators can ban."))
    if action == Kind.SUSPEND and (suspend_days or 0) > settings.MODERATOR_MAX_SUSPEND_DAYS:
        senior_reasons.append(
            _("Only senior moderators can suspend for more than %(days)d days.")
            % {"days": settings.MODERATOR_MAX_SUSPEND_DAYS}
        )
    if senior_reasons and not may_decide_escalated(moderator):
        raise NotAllowed(senior_reasons[0])


def _check_fits(*, case: Case, action: str, reason: str, suspend_days: int | None) -> str:
    if action not in CASE_ACTIONS:
        raise InvalidCaseAction(_("Choose an action."), code="unknown_action")
    if not case.is_open:
        raise InvalidCaseAction(
            _("This case is already closed (%(status)s).") % {"status": case.get_status_display()},
            code="case_closed",
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidCaseAction(
            _("Give a reason: the member will read it."), code="reason_required"
        )
    if action == Kind.ESCALATE and case.status == Case.Status.ESCALATED:
        raise InvalidCaseAction(_("This case is already escalated."), code="already_escalated")
    if action == Kind.END_STREAM and (
        case.target_kind != Case.TargetKind.STREAM
        or case.stream is None
        or not case.stream.is_active
    ):
        raise InvalidCaseAction(
            _("There is no live stream to end in this case."), code="no_live_stream"
        )
    if action == Kind.REMOVE_CONTENT and case.target_kind != Case.TargetKind.CHAT_MESSAGE:
        raise InvalidCaseAction(
            _("Only a reported chat message can be removed; end a stream instead."),
            code="nothing_to_remove",
        )
    if action in (Kind.WARN, Kind.SUSPEND, Kind.SITE_BAN) and case.subject is None:
        raise InvalidCaseAction(_("This case has no account to act on."), code="no_account")
    if action == Kind.SUSPEND and not (suspend_days and suspend_days > 0):
        raise InvalidCaseAction(_("Say for how many days to suspend."), code="days_required")
    return reason


def _lock_case(case_id: int) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("stream", "chat_message", "subject")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise CaseNotFound()
    return case


def _end_subjects_live_streams(*, subject) -> None:
    for stream in Stream.objects.filter(host=subject, status__in=Stream.ACTIVE_STATUSES):
        lifecycle.end_stream_as_moderator(stream=stream)


def _carry_out(*, moderator, case: Case, action: str, reason: str, suspend_days: int | None):
    """Do what `action` does and return its `ModerationAction` (caller's transaction)."""
    subject = case.subject
    if action in (Kind.SUSPEND, Kind.SITE_BAN):
        expires_at = (
            timezone.now() + timedelta(days=suspend_days) if action == Kind.SUSPEND else None
        )
        site_ban = ban_user_sitewide(
            actor=moderator,
            user=subject,
            reason=reason,
            expires_at=expires_at,
            case=case,
            kind=action,
        )
        _end_subjects_live_streams(subject=subject)
        return site_ban.action
    details = {}
    if action == Kind.END_STREAM:
        lifecycle.end_stream_as_moderator(stream=case.stream)
        details["stream_title"] = case.stream.title
    elif action == Kind.REMOVE_CONTENT:
        removed = chat_services.remove_reported_message(
            message_id=case.chat_message_id, moderator=moderator
        )
        details["chat_message_id"] = case.chat_message_id
        details["already_gone"] = removed is None
    return record_moderation_action(
        kind=action,
        actor=moderator,
        target_user=subject,
        stream=case.stream,
        chat_message=case.chat_message,
        case=case,
        reason=reason,
        details=details,
    )


def decision_title(action: ModerationAction) -> str:
    """What the affected member is told happened, in their language."""
    until = action.details.get("expires_at")
    titles = {
        Kind.WARN: _("You received a warning from the moderators"),
        Kind.REMOVE_CONTENT: _("A chat message of yours was removed"),
        Kind.END_STREAM: _("A moderator ended your stream"),
        Kind.SUSPEND: _("Your account is suspended until %(until)s")
        % {"until": until[:10] if until else ""},
        Kind.SITE_BAN: _("Your account is banned from taking part on HaloBuzz"),
        Kind.AI_BLOCK: _("Our automatic checks interrupted your stream")
        if action.stream_id
        else _("Our automatic checks removed your profile picture"),
    }
    return titles.get(action.kind, action.get_kind_display())


def _notify_subject(*, action: ModerationAction) -> None:
    """Tell the member a decision is about (when they may appeal it)."""
    subject = action.target_user
    if subject is None or action.kind not in ModerationAction.APPEALABLE_KINDS:
        return
    with translation.override(subject.preferred_language or settings.LANGUAGE_CODE):
        notify_users(
            recipients=[subject],
            kind=Notification.Kind.MODERATION,
            title=decision_title(action),
            body=_("Reason: %(reason)s. You can appeal this decision once.")
            % {"reason": action.reason},
            url=reverse("trust:decision", args=[action.pk]),
            dedupe_key=f"moderation-action:{action.pk}",
        )


def _thank_reporters(*, case: Case) -> None:
    for report in case.reports.select_related("reporter"):
        reporter = report.reporter
        if reporter is None:
            continue
        with translation.override(reporter.preferred_language or settings.LANGUAGE_CODE):
            notify_users(
                recipients=[reporter],
                kind=Notification.Kind.MODERATION,
                title=_("Thank you: we acted on your report"),
                body=_("Our moderators reviewed what you reported and took action."),
                dedupe_key=f"report-upheld:{case.pk}",
            )


@transaction.atomic
def act_on_case(
    *, moderator, case_id: int, action: str, reason: str, suspend_days: int | None = None
) -> ModerationAction:
    """Take `action` on the case and log it as a `ModerationAction` against it.

    Raises `NotAllowed` (no ``trust.moderate_case``; bans, suspensions longer than
    MODERATOR_MAX_SUSPEND_DAYS and escalated cases need ``trust.decide_escalated_case``),
    `CaseNotFound`, `InvalidCaseAction` (codes ``unknown_action``, ``case_closed``,
    ``reason_required``, ``already_escalated``, ``no_live_stream``, ``nothing_to_remove``,
    ``no_account``, ``days_required``) and what the underlying action raises (e.g.
    `AlreadyBannedSitewide`); in every case nothing changes.
    """
    case = _lock_case(case_id)
    _check_permission(moderator=moderator, case=case, action=action, suspend_days=suspend_days)
    reason = _check_fits(case=case, action=action, reason=reason, suspend_days=suspend_days)
    now = timezone.now()
    logged = _carry_out(
        moderator=moderator, case=case, action=action, reason=reason, suspend_days=suspend_days
    )
    case.first_action_at = case.first_action_at or now
    if action == Kind.ESCALATE:
        case.status = Case.Status.ESCALATED
    else:
        case.status = Case.Status.DISMISSED if action == Kind.DISMISS else Case.Status.ACTIONED
        case.closed_at = now
        case.closed_by = moderator
        case.reports.update(upheld=action != Kind.DISMISS)
    case.save(update_fields=["status", "first_action_at", "closed_at", "closed_by"])
    _notify_subject(action=logged)
    if action in UPHOLDING_ACTIONS:
        _thank_reporters(case=case)
        schedule_trust_recompute(user_ids=[case.subject_id])
    return logged
