"""Privacy records in the console, read-only: consent history, exports and deletion
requests are written by their services only."""

from django.contrib import admin

from halobuzz.core.admin_mixins import ReadOnlyAdminMixin
from trust.privacy.models import ConsentRecord, DataExport, DeletionRequest


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "purpose", "granted", "policy_version", "source", "created_at")
    list_filter = ("purpose", "granted", "source", "policy_version")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    date_hierarchy = "created_at"


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "status", "requested_at", "completed_at", "expires_at", "size_bytes")
    list_filter = ("status",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    # The file's name is not shown: the file is the member's, for them to download.
    exclude = ("file_name",)


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "status", "requested_at", "scheduled_for", "completed_at")
    list_filter = ("status",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    date_hierarchy = "requested_at"
