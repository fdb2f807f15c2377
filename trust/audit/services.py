"""Writing the security log. `record_audit_event` is its only writer: sign-in and
account signals (trust.audit.signals), payouts and phone verification call it."""

from __future__ import annotations

import re

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context as allauth_context
from django.core.exceptions import PermissionDenied

from trust.audit.models import USER_AGENT_MAX_LENGTH, AuditEvent

# Details are shown to the member and to staff: a value under a key like these is a
# credential (a password, a one-time code, a token) and is never stored.
SECRET_DETAIL_KEY = re.compile(
    r"pass|secret|token|otp|signature|cookie|session|(^|_)key$|(^|_)code$|codes$",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def record_audit_event(
    *,
    user,
    kind: str,
    actor=None,
    actor_known: bool = True,
    request=None,
    details: dict | None = None,
) -> AuditEvent:
    """Add one event to `user`'s security log and return it.

    `request` defaults to the request being served (allauth keeps it for each
    request), so services called from a view record where the action came from
    without passing it; outside a request (a task) there is no address. `actor`
    defaults to the request's signed-in member; pass it when someone else acted
    (staff). Pass `actor_known=False` when nobody known acted: a failed sign-in is
    typed by whoever holds the browser, and a member signed in there (or an attacker
    signed in to their own account) is not who tried this account's password.
    Values under secret-looking keys in `details` are replaced by "[redacted]".
    Joins the caller's transaction, so the event rolls back with the action.

    Raises ValueError for a kind that is not an `AuditEvent.Kind`, or for an
    `actor` together with `actor_known=False`.
    """
    if kind not in AuditEvent.Kind.values:
        raise ValueError(f"Unknown security event kind: {kind!r}")
    if not actor_known and actor is not None:
        raise ValueError("An event with actor_known=False cannot name an actor.")
    if request is None:
        request = allauth_context.request
    if actor is None and actor_known and request is not None:
        signed_in = getattr(request, "user", None)
        if signed_in is not None and signed_in.is_authenticated:
            actor = signed_in
    return AuditEvent.objects.create(
        user=user,
        actor=actor,
        kind=kind,
        ip_address=client_ip(request),
        user_agent=user_agent(request),
        details=_without_secrets(details or {}),
    )


def client_ip(request) -> str | None:
    """The client's address as allauth sees it for its rate limits (so it honours
    ALLAUTH_TRUSTED_PROXY_COUNT behind the proxy); None when there is none."""
    if request is None:
        return None
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def user_agent(request) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH]


def _without_secrets(details: dict) -> dict:
    cleaned = {}
    for key, value in details.items():
        if SECRET_DETAIL_KEY.search(str(key)):
            cleaned[key] = REDACTED
        elif isinstance(value, dict):
            cleaned[key] = _without_secrets(value)
        else:
            cleaned[key] = value
    return cleaned
