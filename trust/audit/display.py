"""How a security event reads, on the member's page and in the console."""

import json

from django.contrib.admin.models import LogEntry
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trust.audit.models import AuditEvent

Kind = AuditEvent.Kind

AUTHENTICATOR_NAMES = {
    "totp": gettext_lazy("Authenticator app"),
    "recovery_codes": gettext_lazy("Recovery codes"),
    "webauthn": gettext_lazy("Security key"),
}


def event_summary(event: AuditEvent) -> str:
    """One line of what the event's details say, in the reader's language; "" when
    the event's name says it all."""
    details = event.details or {}
    if event.kind == Kind.LOGIN_FAILED:
        if details.get("step") == "two_factor":
            return _("The password was right but the two-factor code was wrong.")
        return _("Wrong password.")
    if event.kind == Kind.PASSWORD_CHANGED and details.get("first_password"):
        return _("A password was set for the first time.")
    if event.kind in (Kind.EMAIL_ADDED, Kind.EMAIL_REMOVED):
        return details.get("email", "")
    if event.kind in (Kind.EMAIL_CHANGED, Kind.EMAIL_PRIMARY_CHANGED):
        if details.get("from"):
            return _("From %(old)s to %(new)s") % {"old": details["from"], "new": details["to"]}
        return details.get("to", "")
    if event.kind in (
        Kind.MFA_ENABLED,
        Kind.MFA_DISABLED,
        Kind.MFA_RECOVERY_CODES_REGENERATED,
    ):
        return str(AUTHENTICATOR_NAMES.get(details.get("authenticator"), ""))
    if event.kind == Kind.PHONE_CHANGED:
        return details.get("phone", "")
    if event.kind == Kind.PAYOUT_REQUESTED and "diamonds" in details:
        return _("%(diamonds)s diamonds to %(method)s") % {
            "diamonds": number_format(details["diamonds"], force_grouping=True),
            "method": details.get("method", ""),
        }
    if event.kind == Kind.STAFF_ACTION:
        return _staff_change_summary(details)
    return ""


def _staff_change_summary(details: dict) -> str:
    if details.get("action") == "added":
        return _("Staff created this account.")
    changes = details.get("changes")
    if isinstance(changes, list):
        # The admin's own wording, translated now, from the labels it stored.
        return LogEntry(change_message=json.dumps(changes)).get_change_message()
    return changes or ""
