from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from halobuzz.users.models import Follow, User
from trust.admin.chat_safety import SiteBanUserAdminMixin


@admin.register(User)
class UserAdmin(SiteBanUserAdminMixin, DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "display_name",
        "country",
        "preferred_language",
        "is_creator",
        "is_staff",
        "date_joined",
    )
    list_filter = (
        "country",
        "preferred_language",
        "is_creator",
        "is_kyc_verified",
        "is_staff",
        "is_active",
    )
    search_fields = ("username", "email", "display_name")
    ordering = ("-date_joined",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "avatar",
                    "bio",
                    "country",
                    "preferred_language",
                    "preferred_currency",
                    "time_zone",
                    "is_creator",
                    "is_kyc_verified",
                )
            },
        ),
    )


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created_at")
    search_fields = ("follower__username", "followee__username")
    list_select_related = ("follower", "followee")
    raw_id_fields = ("follower", "followee")
    date_hierarchy = "created_at"
