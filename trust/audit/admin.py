"""The security log in the console: everyone's events, read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from halobuzz.core.admin_mixins import ReadOnlyAdminMixin
from trust.audit.devices import describe_user_agent
from trust.audit.display import event_summary
from trust.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Sign-ins and security changes. Append-only: nobody adds, edits or deletes here."""

    list_display = ("created_at", "kind", "user", "actor", "ip_address", "device", "summary")
    list_filter = ("kind", "created_at")
    list_select_related = ("user", "actor")
    search_fields = ("user__username", "actor__username", "ip_address")
    search_help_text = _("Search by the account's or the actor's username, or by IP address.")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "kind",
        "user",
        "actor",
        "ip_address",
        "device",
        "user_agent",
        "summary",
        "details",
    )
    readonly_fields = fields

    @admin.display(description=_("device"))
    def device(self, event: AuditEvent) -> str:
        return describe_user_agent(event.user_agent) or "—"

    @admin.display(description=_("summary"))
    def summary(self, event: AuditEvent) -> str:
        return event_summary(event) or "—"
