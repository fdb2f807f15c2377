"""Reads for privacy: current consents (and `has_consent` for other apps), the consent
history, a member's exports and their pending account deletion."""

from datetime import datetime, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from trust.privacy import consent_cookie
from trust.privacy.models import (
    OPTIONAL_PURPOSES,
    ConsentPurpose,
    ConsentRecord,
    DataExport,
    DeletionRequest,
)


def current_policy_version() -> str:
    return settings.PRIVACY_POLICY_VERSION


def get_current_consents(*, user) -> dict[str, ConsentRecord | None]:
    """Each optional purpose's newest record for `user` (None where they never chose)."""
    return {
        purpose: ConsentRecord.objects.filter(user=user, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
        for purpose in OPTIONAL_PURPOSES
    }


def get_consent_choices(*, request: HttpRequest) -> dict[str, bool]:
    """What the settings page shows as chosen: the account's current consents, or the
    visitor's cookie; nothing chosen counts as not granted."""
    user = request.user
    if user.is_authenticated:
        current = get_current_consents(user=user)
        return {purpose: bool(record and record.granted) for purpose, record in current.items()}
    cookie = consent_cookie.read_choice(request)
    return {purpose: bool(cookie and cookie.choices[purpose]) for purpose in OPTIONAL_PURPOSES}


def has_consent(*, request_or_user, purpose: str) -> bool:
    """Whether the visitor or member agreed to `purpose` under the current policy.

    Pass the request where there is one: for a visitor who is not signed in, only
    their consent cookie knows. Necessary cookies need no consent (always True). A
    choice made under an older policy version does not count: the banner asks again.
    Raises ValueError for a purpose HaloBuzz does not know.
    """
    if purpose == ConsentPurpose.NECESSARY:
        return True
    if purpose not in OPTIONAL_PURPOSES:
        raise ValueError(f"Unknown consent purpose: {purpose!r}")
    if isinstance(request_or_user, HttpRequest):
        user = getattr(request_or_user, "user", None)
        if user is None or not user.is_authenticated:
            cookie = consent_cookie.read_choice(request_or_user)
            return bool(
                cookie
                and cookie.policy_version == current_policy_version()
                and cookie.choices[purpose]
            )
    else:
        user = request_or_user
    if user is None or not user.is_authenticated:
        return False
    record = get_current_consents(user=user)[purpose]
    return bool(record and record.granted and record.policy_version == current_policy_version())


def has_choice_for_current_policy(*, user) -> bool:
    return ConsentRecord.objects.filter(user=user, policy_version=current_policy_version()).exists()


def needs_consent_choice(*, request: HttpRequest) -> bool:
    """Whether the banner should ask: no choice yet under the current policy version
    (the account's records for members, the cookie for visitors)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return not has_choice_for_current_policy(user=user)
    cookie = consent_cookie.read_choice(request)
    return cookie is None or cookie.policy_version != current_policy_version()


def get_latest_consent_time(*, user) -> datetime | None:
    latest = ConsentRecord.objects.filter(user=user).order_by("-created_at").first()
    return latest.created_at if latest else None


def list_consent_history(*, user) -> QuerySet[ConsentRecord]:
    """Every choice the member made, newest first."""
    return ConsentRecord.objects.filter(user=user).order_by("-created_at", "-pk")


# --- Data exports ------------------------------------------------------------------------


def get_latest_export(*, user) -> DataExport | None:
    return DataExport.objects.filter(user=user).order_by("-requested_at", "-pk").first()


def get_export_in_progress(*, user) -> DataExport | None:
    return DataExport.objects.filter(user=user, status__in=DataExport.IN_PROGRESS).first()


def list_expired_export_ids(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def list_stuck_export_ids(*, now: datetime, stale_after: timedelta) -> list[int]:
    """Exports still in progress `stale_after` past their claim (running) or their
    request (pending, never claimed): their worker died or their task was lost."""
    cutoff = now - stale_after
    return list(
        DataExport.objects.filter(
            Q(status=DataExport.Status.RUNNING, started_at__lt=cutoff)
            | Q(status=DataExport.Status.PENDING, requested_at__lt=cutoff)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Account deletion --------------------------------------------------------------------


def get_scheduled_deletion(*, user) -> DeletionRequest | None:
    """The member's deletion request still in its cool-off (or due), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return DeletionRequest.objects.filter(
        user=user, status=DeletionRequest.Status.SCHEDULED
    ).first()


def has_authenticator_app(*, user) -> bool:
    """Whether the member signs in with an authenticator app, whose current code then
    confirms the deletion too."""
    return is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


def list_due_deletion_ids(*, now: datetime | None = None) -> list[int]:
    """Deletion requests whose cool-off has ended, oldest first."""
    now = now or timezone.now()
    return list(
        DeletionRequest.objects.filter(
            status=DeletionRequest.Status.SCHEDULED, scheduled_for__lte=now
        )
        .order_by("scheduled_for", "pk")
        .values_list("pk", flat=True)
    )
