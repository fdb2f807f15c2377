"""Appeals: a member may contest a decision about them once; a senior moderator who
did not take the decision upholds or overturns it.

Overturning undoes what can be undone (a suspension or ban is lifted, a removed
message is shown again) and the decision stops counting against the member's trust
score. An ended stream cannot be restarted; overturning it clears the record.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from halobuzz.notifications.models import Notification
from halobuzz.notifications.services import notify_users
from streams.services import chat as chat_services
from trust.exceptions import InvalidAppeal, NotAllowed
from trust.models import Appeal, ModerationAction, SiteBan
from trust.models.cases import APPEAL_STATEMENT_MAX_LENGTH
from trust.scores.services import schedule_trust_recompute
from trust.services.cases import may_decide_escalated
from trust.services.chat_safety import record_moderation_action

Kind = ModerationAction.Kind


def appeal_deadline(action: ModerationAction):
    return action.created_at + timedelta(days=settings.APPEAL_WINDOW_DAYS)


def can_appeal(*, user, action: ModerationAction) -> bool:
    """Whether `user` may still appeal `action` (theirs, appealable, in time, not yet)."""
    return (
        action.target_user_id == user.pk
        and action.kind in ModerationAction.APPEALABLE_KINDS
        and timezone.now() <= appeal_deadline(action)
        and not Appeal.objects.filter(action=action).exists()
    )


@transaction.atomic
def appeal_decision(*, appellant, action_id: int, statement: str) -> Appeal:
    """Appeal a decision once. Raises `InvalidAppeal` (``not_yours``, ``not_appealable``,
    ``too_late``, ``statement_required``, ``statement_too_long``, ``already_appealed``)."""
    action = ModerationAction.objects.filter(pk=action_id).first()
    if action is None or action.target_user_id != appellant.pk:
        raise InvalidAppeal(_("You can only appeal decisions about you."), code="not_yours")
    if action.kind not in ModerationAction.APPEALABLE_KINDS:
        raise InvalidAppeal(_("This decision cannot be appealed."), code="not_appealable")
    if timezone.now() > appeal_deadline(action):
        raise InvalidAppeal(
            _("Decisions can be appealed within %(days)d days.")
            % {"days": settings.APPEAL_WINDOW_DAYS},
            code="too_late",
        )
    statement = (statement or "").strip()
    if not statement:
        raise InvalidAppeal(
            _("Tell the moderators why the decision is wrong."), code="statement_required"
        )
    if len(statement) > APPEAL_STATEMENT_MAX_LENGTH:
        raise InvalidAppeal(
            _("Keep it to %(limit)d characters.") % {"limit": APPEAL_STATEMENT_MAX_LENGTH},
            code="statement_too_long",
        )
    try:
        with transaction.atomic():
            return Appeal.objects.create(action=action, appellant=appellant, statement=statement)
    except IntegrityError as error:
        raise InvalidAppeal(
            _("You have already appealed this decision."), code="already_appealed"
        ) from error


def _undo(action: ModerationAction, *, reviewer) -> None:
    if action.kind in (Kind.SUSPEND, Kind.SITE_BAN):
        SiteBan.objects.filter(pk=action.details.get("site_ban_id"), lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=reviewer
        )
    elif action.kind == Kind.REMOVE_CONTENT and action.chat_message_id:
        chat_services.restore_message(message_id=action.chat_message_id)


@transaction.atomic
def decide_appeal(*, reviewer, appeal_id: int, overturn: bool, note: str) -> Appeal:
    """Uphold or overturn a pending appeal. Needs ``trust.decide_escalated_case`` and
    may not be decided by the moderator who took the decision. Raises `NotAllowed` or
    `InvalidAppeal` (``not_found``, ``already_decided``, ``own_decision``, ``note_required``).
    """
    if not may_decide_escalated(reviewer):
        raise NotAllowed(_("Only senior moderators decide appeals."))
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("action", "appellant")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise InvalidAppeal(_("That appeal does not exist."), code="not_found")
    if appeal.status != Appeal.Status.PENDING:
        raise InvalidAppeal(_("This appeal was already decided."), code="already_decided")
    if appeal.action.actor_id == reviewer.pk:
        raise InvalidAppeal(
            _("Another senior moderator must review an appeal against your own decision."),
            code="own_decision",
        )
    note = " ".join((note or "").split())[:500]
    if not note:
        raise InvalidAppeal(_("Explain the decision to the member."), code="note_required")
    action = appeal.action
    if overturn:
        _undo(action, reviewer=reviewer)
    appeal.status = Appeal.Status.OVERTURNED if overturn else Appeal.Status.UPHELD
    appeal.decided_by = reviewer
    appeal.decided_at = timezone.now()
    appeal.decision_note = note
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record_moderation_action(
        kind=Kind.APPEAL_OVERTURNED if overturn else Kind.APPEAL_UPHELD,
        actor=reviewer,
        target_user=action.target_user,
        stream=action.stream,
        chat_message=action.chat_message,
        case=action.case,
        reason=note,
        details={"appeal_id": appeal.pk, "action_id": action.pk},
    )
    appellant = appeal.appellant
    if appellant is not None:
        with translation.override(appellant.preferred_language or settings.LANGUAGE_CODE):
            notify_users(
                recipients=[appellant],
                kind=Notification.Kind.MODERATION,
                title=_("Your appeal was accepted: the decision is reversed")
                if overturn
                else _("Your appeal was reviewed: the decision stands"),
                body=note,
                url=reverse("trust:decision", args=[action.pk]),
                dedupe_key=f"appeal-decided:{appeal.pk}",
            )
    if overturn:
        schedule_trust_recompute(user_ids=[action.target_user_id])
    return appeal
