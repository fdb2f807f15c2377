"""Payments in the admin: read-only records with the messages behind them; staff
refund through the provider or ask it where a payment stands."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from economy.exceptions import PaymentError
from economy.models import Payment, PaymentEvent
from economy.payments.base import ProviderError
from economy.services import payments as payment_services
from halobuzz.core.admin_mixins import ActionsOnlyAdminMixin, ReadOnlyAdminMixin


class PaymentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PaymentEvent
    fields = ("received_at", "source", "reported_status", "outcome", "provider_event_id")
    readonly_fields = fields
    extra = 0


@admin.register(Payment)
class PaymentAdmin(ActionsOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "user",
        "purpose",
        "amount",
        "coins",
        "provider",
        "status",
        "created_at",
    )
    list_filter = ("status", "purpose", "provider")
    search_fields = ("public_id", "user__username", "user__email", "provider_reference")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    inlines = [PaymentEventInline]
    actions = ["refund_through_provider", "check_with_provider"]

    @admin.action(description=_("Refund through the provider (takes the coins or the month back)"))
    def refund_through_provider(self, request, queryset):
        refunded = 0
        for payment in queryset:
            try:
                payment_services.refund_payment(payment=payment, staff_user=request.user)
            except PaymentError as error:
                self.message_user(request, f"{payment.public_id}: {error.message}", messages.ERROR)
            else:
                refunded += 1
        if refunded:
            self.message_user(
                request,
                ngettext("%(count)d payment refunded.", "%(count)d payments refunded.", refunded)
                % {"count": refunded},
                messages.SUCCESS,
            )

    @admin.action(description=_("Ask the provider where it stands"))
    def check_with_provider(self, request, queryset):
        for payment in queryset:
            try:
                updated = payment_services.check_payment_status(payment=payment)
            except ProviderError as error:
                self.message_user(request, f"{payment.public_id}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{payment.public_id}: {updated.get_status_display()}", messages.INFO
                )


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "provider", "source", "reported_status", "outcome", "payment")
    list_filter = ("provider", "source", "outcome")
    search_fields = ("provider_event_id", "payment__public_id")
    list_select_related = ("payment",)
