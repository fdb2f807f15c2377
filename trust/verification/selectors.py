"""Reads for verification layers: where a member stands on each layer, and the
questions other apps ask (may this creator be paid out?)."""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from trust.verification.layers import Layer, offered_layers
from trust.verification.models import PhoneCode, Verification
from trust.verification.phones import format_international

Status = Verification.Status
REVIEW_PERMISSION = "verification.review_verification"

# Where a member stands on one layer.
NOT_STARTED = "not_started"
AWAITING_MEMBER = "awaiting_member"  # pending, and the member must act (type the code)
IN_REVIEW = "in_review"  # pending, and staff must act
VERIFIED = "verified"
REJECTED = "rejected"
NOT_ELIGIBLE = "not_eligible"


@dataclass
class LayerState:
    layer: Layer
    state: str
    verified: Verification | None = None
    pending: Verification | None = None
    #: The latest rejected or lapsed attempt when it is newer than any verified row.
    last_ended: Verification | None = None
    ineligible_reason: str | None = None
    phone_code: PhoneCode | None = None

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def needs_member(self) -> bool:
        return self.state in (NOT_STARTED, AWAITING_MEMBER, REJECTED)

    @property
    def verified_subject(self) -> str:
        return _shown_subject(self.verified)

    @property
    def pending_subject(self) -> str:
        return _shown_subject(self.pending)

    @property
    def code_is_usable(self) -> bool:
        code = self.phone_code
        return bool(
            code
            and not code.delivery_error
            and code.attempts_left > 0
            and code.expires_at > timezone.now()
        )

    @property
    def code_is_on_its_way(self) -> bool:
        """The text is queued: the worker has not made the code yet."""
        return self.code_is_usable and not self.phone_code.code_hash


@dataclass
class VerificationOverview:
    layers: list[LayerState] = field(default_factory=list)

    @property
    def next_layer(self) -> LayerState | None:
        """The first layer, in page order, that waits for the member."""
        return next((state for state in self.layers if state.needs_member), None)

    @property
    def all_verified(self) -> bool:
        return all(state.state in (VERIFIED, NOT_ELIGIBLE) for state in self.layers)


def _shown_subject(verification: Verification | None) -> str:
    if verification is None:
        return ""
    if verification.kind == Verification.Kind.PHONE:
        return format_international(verification.subject)
    return verification.subject


def _layer_state(layer: Layer, *, user, verified, pending, latest, phone_code) -> LayerState:
    ineligible_reason = layer.ineligibility(user)
    if verified is not None:
        state = VERIFIED
    elif ineligible_reason is not None:
        state = NOT_ELIGIBLE
    elif pending is not None:
        state = IN_REVIEW if layer.reviewed_by_staff else AWAITING_MEMBER
    elif latest is not None and latest.status == Status.REJECTED:
        state = REJECTED
    else:
        state = NOT_STARTED
    ended = (
        latest
        if latest is not None and latest.status in (Status.REJECTED, Status.EXPIRED)
        else None
    )
    if ended is not None and verified is not None and ended.created_at < verified.created_at:
        ended = None
    return LayerState(
        layer=layer,
        state=state,
        verified=verified,
        pending=pending,
        last_ended=ended,
        ineligible_reason=str(ineligible_reason) if ineligible_reason else None,
        phone_code=phone_code if pending is not None else None,
    )


def get_verification_overview(*, user) -> VerificationOverview:
    """Each layer the site offers, with `user`'s standing on it. One query: every
    pending and verified row, and the newest row of each layer (for its outcome)."""
    layers = offered_layers()
    kinds = [layer.kind for layer in layers]
    mine = Verification.objects.filter(user=user, kind__in=kinds)
    latest_ids = mine.values("kind").annotate(latest=Max("pk")).values_list("latest", flat=True)
    rows = list(
        mine.filter(Q(pk__in=latest_ids) | Q(status__in=[Status.PENDING, Status.VERIFIED]))
        .select_related("phone_code")
        .order_by("pk")
    )
    overview = VerificationOverview()
    for layer in layers:
        own = [row for row in rows if row.kind == layer.kind]
        pending = next((row for row in own if row.status == Status.PENDING), None)
        overview.layers.append(
            _layer_state(
                layer,
                user=user,
                verified=next((row for row in own if row.status == Status.VERIFIED), None),
                pending=pending,
                latest=own[-1] if own else None,
                phone_code=getattr(pending, "phone_code", None) if pending else None,
            )
        )
    return overview


def phone_code_lifetime_minutes() -> int:
    """How long a phone code works, in whole minutes (rounded up), for the page and
    the text message: PHONE_CODE_LIFETIME_SECONDS."""
    return max(1, math.ceil(settings.PHONE_CODE_LIFETIME_SECONDS / 60))


def may_review(*, user) -> bool:
    """May `user` approve or reject verifications: active staff holding the "review
    verification" permission. The services enforce it; the console asks it to show
    the decision form and the bulk actions."""
    return bool(
        user is not None and user.is_active and user.is_staff and user.has_perm(REVIEW_PERMISSION)
    )


def is_payout_eligible(*, user) -> bool:
    """May `user` withdraw earnings: their identity layer is verified, or staff set
    `is_kyc_verified` on the account (how economy checked identity before this layer
    existed, still used for creators verified by support).

    When the bank layer's flow lands, a verified bank account or wallet joins this
    rule: economy's payout methods carry no verified flag of their own, so that layer
    will be the proof that the account paid into is the creator's.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_kyc_verified:
        return True
    return Verification.objects.filter(
        user=user, kind=Verification.Kind.IDENTITY, status=Status.VERIFIED
    ).exists()
