"""Pieces shared by the apps' admin pages."""


class ReadOnlyAdminMixin:
    """For records that only services write (logs, the ledger): no add, change or
    delete in the console, for anyone; works on model admins and inlines."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
