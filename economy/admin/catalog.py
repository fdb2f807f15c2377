"""What is on sale and what creators earn: gifts, coin packages, subscription prices,
partner tiers."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from economy.models import (
    CoinPackage,
    CoinPackagePrice,
    CreatorPartnership,
    Gift,
    OGMembership,
    OGTier,
    SubscriptionPrice,
)
from economy.services.partners import set_partner_tier
from halobuzz.core.admin_mixins import ReadOnlyAdminMixin


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    list_display = ("icon", "name", "tier", "price_coins", "animation", "is_active", "position")
    list_display_links = ("icon", "name")
    list_editable = ("is_active", "position")
    list_filter = ("tier", "is_active", "animation")
    search_fields = ("slug", "name", "name_ne", "name_hi", "name_pt_br")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("slug", "name", "icon", "image", "price_coins", "tier", "animation")}),
        (_("Translations"), {"fields": ("name_ne", "name_hi", "name_pt_br")}),
        (
            _("Availability"),
            {
                "fields": (
                    "is_active",
                    "position",
                    "available_countries",
                    "available_from",
                    "available_until",
                )
            },
        ),
    )


class PriceInline(admin.TabularInline):
    model = CoinPackagePrice
    extra = 1


@admin.register(CoinPackage)
class CoinPackageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "coins", "bonus_coins", "label", "is_active", "position")
    list_editable = ("is_active", "position")
    list_filter = ("is_active",)
    inlines = [PriceInline]


@admin.register(SubscriptionPrice)
class SubscriptionPriceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "level", "price")
    list_filter = ("level", "price_currency")


@admin.register(CreatorPartnership)
class CreatorPartnershipAdmin(admin.ModelAdmin):
    list_display = ("creator", "tier", "updated_by", "updated_at")
    list_filter = ("tier",)
    search_fields = ("creator__username", "creator__email")
    autocomplete_fields = ("creator",)
    fields = ("creator", "tier", "note")

    def save_model(self, request, obj, form, change):
        partnership = set_partner_tier(
            creator=obj.creator, tier=obj.tier, note=obj.note, staff_user=request.user
        )
        obj.pk = partnership.pk

    def get_readonly_fields(self, request, obj=None):
        return ("creator",) if obj else ()


@admin.register(OGTier)
class OGTierAdmin(admin.ModelAdmin):
    list_display = (
        "tier",
        "name",
        "price_coins",
        "duration_days",
        "daily_bonus_coins",
        "gift_discount_percent",
        "has_entry_effect",
        "is_active",
    )
    list_editable = ("is_active",)


@admin.register(OGMembership)
class OGMembershipAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "tier", "started_at", "expires_at", "ended_at")
    list_filter = ("tier",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "tier")
