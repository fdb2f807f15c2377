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


class ActionsOnlyAdminMixin(ReadOnlyAdminMixin):
    """Read-only records that staff act on through admin actions (refund, approve):
    the actions need the model's change permission, and every field stays read-only."""

    def has_change_permission(self, request, obj=None):
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
