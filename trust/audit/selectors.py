"""Reads of the security log."""

from django.db.models import QuerySet

from trust.audit.models import AuditEvent


def list_audit_events(*, user) -> QuerySet[AuditEvent]:
    """`user`'s own security events, newest first (the page shows no one else's)."""
    return (
        AuditEvent.objects.filter(user=user).select_related("actor").order_by("-created_at", "-pk")
    )
