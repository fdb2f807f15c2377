"""Staff roles as Django groups, kept in step with this file after every migrate.

A moderator works the moderation queue but cannot approve payouts; finance handles
payments and payouts but cannot ban; a senior moderator also bans, suspends for
longer, acts on escalated cases and decides appeals; an admin can do everything.
Give a staff account its role by adding it to one of these groups in the admin.
Permissions added to a group by hand are kept; the ones listed here are restored.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

MODERATOR = "Moderator"
SENIOR_MODERATOR = "Senior moderator"
FINANCE = "Finance"
ADMIN = "Admin"

_MODERATOR_PERMISSIONS = [
    "trust.view_case",
    "trust.moderate_case",
    "trust.view_report",
    "trust.view_moderationaction",
    "trust.view_appeal",
    "trust.view_imagescan",
    "trust.add_siteban",
    "trust.view_siteban",
    "trust.view_blockedterm",
    "trust.add_blockedterm",
    "trust.delete_blockedterm",
    "streams.view_stream",
    "streams.view_chatmessage",
    "users.view_user",
]
ROLE_PERMISSIONS = {
    MODERATOR: _MODERATOR_PERMISSIONS,
    SENIOR_MODERATOR: [
        *_MODERATOR_PERMISSIONS,
        "trust.decide_escalated_case",
        "trust.change_siteban",
        "trust.change_appeal",
        "streams.change_stream",
    ],
    FINANCE: [
        "economy.view_payoutrequest",
        "economy.change_payoutrequest",
        "economy.view_payment",
        "economy.change_payment",
        "economy.view_ledgertransaction",
        "users.view_user",
    ],
}


def _permissions(names: list[str]) -> list[Permission]:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def sync_staff_roles(**_signal) -> None:
    """Create the role groups and give each its permissions (post_migrate)."""
    if not Permission.objects.exists():
        return
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(names))
    admin_group, _created = Group.objects.get_or_create(name=ADMIN)
    admin_group.permissions.add(*Permission.objects.all())
