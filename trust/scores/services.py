"""Computing and keeping trust scores.

`schedule_trust_recompute` is what other code calls when something that feeds the
score happens (a verification decided, a report upheld, a refund or chargeback): it
waits TRUST_RECOMPUTE_DEBOUNCE_SECONDS after commit and computes once, however many
events arrived meanwhile. Everyone's score is also recomputed nightly, since account
age grows and strikes age out of their window.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from economy.models import LedgerEntry, LedgerTransaction, Payment, PayoutRequest
from halobuzz.users.models import Follow
from streams.models import ChatMessage
from trust.models import Appeal, ModerationAction, Report
from trust.models.scores import TrustScore, TrustScoreChange, TrustWeights
from trust.scores import formula

AUTOMOD_KINDS = (ModerationAction.Kind.AUTOMOD_HOLD, ModerationAction.Kind.AUTOMOD_REJECT)


def get_weights() -> formula.Weights:
    row = TrustWeights.objects.first()
    if row is None:
        return formula.Weights()
    return formula.Weights(
        verification=float(row.verification),
        social_proof=float(row.social_proof),
        financial=float(row.financial),
        content=float(row.content),
        fair_from=row.fair_from,
        good_from=row.good_from,
        excellent_from=row.excellent_from,
    )


def _verified_layers(user) -> list[str]:
    layers = set()
    if apps.is_installed("trust.verification"):
        verification_model = apps.get_model("verification", "Verification")
        layers.update(
            verification_model.objects.filter(user=user, status="verified").values_list(
                "kind", flat=True
            )
        )
    if EmailAddress.objects.filter(user=user, verified=True).exists():
        layers.add("email")
    return sorted(layers)


def _strikes(user, since) -> dict[str, int]:
    overturned = Appeal.objects.filter(status=Appeal.Status.OVERTURNED).values("action_id")
    rows = (
        ModerationAction.objects.filter(
            target_user=user, created_at__gte=since, kind__in=formula.STRIKE_WEIGHTS
        )
        .exclude(pk__in=overturned)
        .values("kind")
        .annotate(count=Count("pk"))
    )
    return {row["kind"]: row["count"] for row in rows}


def gather_inputs(*, user, now=None) -> formula.TrustInputs:
    """Everything the formula needs about `user`, read from the other apps."""
    now = now or timezone.now()
    since = now - timedelta(days=formula.STRIKE_WINDOW_DAYS)
    layers = _verified_layers(user)
    gifts = (
        LedgerEntry.objects.filter(
            account__owner=user, transaction__kind=LedgerTransaction.Kind.GIFT
        )
        .values("transaction_id")
        .distinct()
        .count()
    )
    messages = ChatMessage.objects.filter(author=user, status=ChatMessage.Status.VISIBLE).count()
    payments = Payment.objects.filter(user=user).aggregate(
        paid=Count("pk", filter=Q(status=Payment.Status.SUCCEEDED)),
        refunded=Count("pk", filter=Q(status=Payment.Status.REFUNDED)),
    )
    return formula.TrustInputs(
        verified_layers=layers,
        followers=Follow.objects.filter(followee=user).count(),
        account_age_days=max(0, (now - user.date_joined).days),
        positive_interactions=gifts + messages,
        paid_purchases=payments["paid"],
        paid_payouts=PayoutRequest.objects.filter(
            creator=user, status=PayoutRequest.Status.PAID
        ).count(),
        refunds_and_chargebacks=payments["refunded"],
        kyc_verified="identity" in layers or user.is_kyc_verified,
        strikes=_strikes(user, since),
        upheld_reports=Report.objects.filter(
            case__subject=user, upheld=True, created_at__gte=since
        ).count(),
        automod_holds=ModerationAction.objects.filter(
            target_user=user, kind__in=AUTOMOD_KINDS, created_at__gte=since
        ).count(),
    )


@transaction.atomic
def recompute_trust_score(*, user, now=None) -> TrustScore:
    """Compute `user`'s score now, keep it, and add it to their history if it moved."""
    now = now or timezone.now()
    weights = get_weights()
    inputs = gather_inputs(user=user, now=now)
    parts = formula.components(inputs)
    score = formula.trust_score(parts, weights)
    level = formula.trust_level(score, weights)
    current = TrustScore.objects.select_for_update().filter(user=user).first()
    moved = current is None or current.score != score or current.level != level
    values = {
        "score": score,
        "level": level,
        "components": parts,
        "inputs": inputs.as_dict(),
        "computed_at": now,
    }
    current, _created = TrustScore.objects.update_or_create(user=user, defaults=values)
    if moved:
        TrustScoreChange.objects.create(
            user=user, score=score, level=level, components=parts, computed_at=now
        )
    return current


def _pending_key(user_id: int) -> str:
    return f"trust:score-pending:{user_id}"


def schedule_trust_recompute(*, user_ids) -> None:
    """Recompute these members' scores once, TRUST_RECOMPUTE_DEBOUNCE_SECONDS after the
    current transaction commits (nothing if it rolls back)."""
    ids = sorted({user_id for user_id in user_ids if user_id})
    if not ids:
        return

    def enqueue():
        from trust import tasks

        delay = settings.TRUST_RECOMPUTE_DEBOUNCE_SECONDS
        for user_id in ids:
            # The first event in the window schedules the run; later ones ride along.
            if cache.add(_pending_key(user_id), 1, timeout=delay + 60):
                tasks.recompute_trust_score.apply_async(args=[user_id], countdown=delay)

    transaction.on_commit(enqueue)


def recompute_pending_trust_score(*, user_id: int) -> TrustScore | None:
    """The debounced run: clear the pending mark first, so an event that arrives while
    this computes schedules another run rather than being missed."""
    cache.delete(_pending_key(user_id))
    user = get_user_model().objects.filter(pk=user_id).first()
    return None if user is None else recompute_trust_score(user=user)


def recompute_all_trust_scores(*, batch_size: int = 500) -> int:
    """Everyone's score (the nightly run). Returns how many were computed."""
    now = timezone.now()
    count = 0
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    for user in users.iterator(chunk_size=batch_size):
        recompute_trust_score(user=user, now=now)
        count += 1
    return count
