"""The member's security log, when the trust.audit app is installed: sign-ins and
account changes with the address and browser they came from. Staff members' own
addresses are left out by the same rule as the member's security log page
(`AuditEvent.done_by_staff`)."""

from django.apps import apps

from trust.privacy.exporters import exporter


def _audit_event_model():
    if not apps.is_installed("trust.audit"):
        return None
    try:
        from trust.audit.models import AuditEvent
    except ImportError:
        return None
    return AuditEvent


if _audit_event_model() is not None:

    @exporter("security_log")
    def export_security_log(*, user) -> list[dict]:
        AuditEvent = _audit_event_model()
        events = (
            AuditEvent.objects.filter(user=user)
            .select_related("actor")
            .order_by("created_at", "pk")
        )
        return [
            {
                "event": event.kind,
                "at": event.created_at,
                "by_staff": event.done_by_staff,
                "ip_address": None if event.done_by_staff else event.ip_address,
                "browser": "" if event.done_by_staff else event.user_agent,
            }
            for event in events.iterator(chunk_size=2000)
        ]
