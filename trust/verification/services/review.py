"""Staff decisions on layers that need a person (identity), and lapsing.

The member hears of a decision through an in-app notification (in their language)
written in the same transaction, so a rolled-back decision notifies nobody; the
notification is deduplicated on the verification and its outcome.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from halobuzz.notifications.models import Notification
from halobuzz.notifications.services import notify_users
from trust.scores.services import schedule_trust_recompute
from trust.verification import selectors
from trust.verification.exceptions import NotAllowed, NotReviewable, VerificationError
from trust.verification.layers import STAFF_REVIEWED_KINDS
from trust.verification.models import PhoneCode, Verification

REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = Verification._meta.get_field("rejection_reason").max_length


def _require_reviewer(reviewer) -> None:
    if not selectors.may_review(user=reviewer):
        raise NotAllowed(_("Only staff who review verifications can decide on them."))


def _lock_for_decision(verification: Verification) -> Verification:
    locked = (
        Verification.objects.select_for_update(no_key=True, of=("self",))
        .select_related("user")
        .get(pk=verification.pk)
    )
    if locked.kind not in STAFF_REVIEWED_KINDS:
        raise NotReviewable(
            _("%(layer)s verification completes by itself; staff do not decide on it.")
            % {"layer": locked.get_kind_display().capitalize()}
        )
    if not locked.is_pending:
        raise NotReviewable(
            _("This verification is already %(status)s.") % {"status": locked.get_status_display()}
        )
    return locked


def _notify_decision(verification: Verification) -> None:
    user = verification.user
    layer = verification.get_kind_display()
    with translation.override(user.preferred_language):
        if verification.is_verified:
            title = _("Your %(layer)s is verified") % {"layer": layer}
            body = ""
        else:
            title = _("We could not verify your %(layer)s") % {"layer": layer}
            body = verification.rejection_reason
        notify_users(
            recipients=[user],
            kind=Notification.Kind.VERIFICATION,
            title=str(title),
            body=body,
            url=reverse("verification:overview"),
            dedupe_key=f"verification:{verification.pk}:{verification.status}",
        )


@transaction.atomic
def approve_verification(*, reviewer, verification: Verification) -> Verification:
    """Mark a pending staff-reviewed verification verified and tell the member.

    Raises NotAllowed (no review permission) or NotReviewable (decided already, or a
    layer that completes by itself).
    """
    _require_reviewer(reviewer)
    locked = _lock_for_decision(verification)
    locked.status = Verification.Status.VERIFIED
    locked.reviewer = reviewer
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reviewer", "decided_at"])
    _notify_decision(locked)
    schedule_trust_recompute(user_ids=[locked.user_id])
    return locked


@transaction.atomic
def reject_verification(*, reviewer, verification: Verification, reason: str) -> Verification:
    """Reject a pending staff-reviewed verification; the member sees `reason` on the
    page and in the notification, and may send new documents.

    Raises NotAllowed, NotReviewable, or VerificationError (``reason_required``).
    """
    _require_reviewer(reviewer)
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN_LENGTH:
        raise VerificationError(
            _("Tell the member why, in a sentence they can act on."), code="reason_required"
        )
    locked = _lock_for_decision(verification)
    locked.status = Verification.Status.REJECTED
    locked.reviewer = reviewer
    locked.rejection_reason = reason[:REASON_MAX_LENGTH]
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reviewer", "rejection_reason", "decided_at"])
    _notify_decision(locked)
    return locked


@transaction.atomic
def expire_verifications(*, now=None) -> int:
    """End every pending or verified row whose `expires_at` has passed (a phone code
    nobody typed, a layer that must be renewed). Returns how many ended."""
    now = now or timezone.now()
    due = Verification.objects.filter(
        status__in=[Verification.Status.PENDING, Verification.Status.VERIFIED],
        expires_at__lte=now,
    )
    due_rows = list(due.values_list("pk", "user_id", "status"))
    due_ids = [pk for pk, _user_id, _status in due_rows]
    PhoneCode.objects.filter(verification_id__in=due_ids).delete()
    # A verified layer that lapses lowers the member's trust score.
    schedule_trust_recompute(
        user_ids=[
            user_id for _pk, user_id, status in due_rows if status == Verification.Status.VERIFIED
        ]
    )
    return due.filter(pk__in=due_ids).update(status=Verification.Status.EXPIRED, decided_at=now)
