"""Payout requests in the admin: staff approve, mark paid (after the bank transfer)
or reject, in bulk, and export approved ones as CSV for the bank."""

import csv

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from economy.exceptions import EconomyError
from economy.models import PayoutMethod, PayoutRequest
from economy.services import payouts as payout_services
from halobuzz.core.admin_mixins import ActionsOnlyAdminMixin, ReadOnlyAdminMixin

CSV_COLUMNS = [
    "request",
    "requested_at",
    "creator",
    "holder_name",
    "method",
    "bank",
    "account",
    "amount",
    "currency",
    "diamonds",
]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the creator sees it)"),
        min_length=5,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(PayoutRequest)
class PayoutRequestAdmin(ActionsOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("creator", "diamonds", "amount", "method", "status", "created_at")
    list_filter = ("status", "method__kind", "amount_currency")
    search_fields = ("creator__username", "creator__email", "method__holder_name")
    date_hierarchy = "created_at"
    list_select_related = ("creator", "method")
    actions = ["approve", "mark_paid", "reject", "export_csv"]

    def _each(self, request, queryset, step, done_message):
        done = 0
        for payout in queryset:
            try:
                step(payout)
            except EconomyError as error:
                self.message_user(request, f"{payout}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve for payment"), permissions=["change"])
    def approve(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda payout: payout_services.approve_payout(
                payout_id=payout.pk, staff_user=request.user
            ),
            _("%(count)d approved."),
        )

    @admin.action(description=_("Mark paid (the bank transfer went out)"), permissions=["change"])
    def mark_paid(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda payout: payout_services.mark_payout_paid(
                payout_id=payout.pk, staff_user=request.user
            ),
            _("%(count)d marked paid."),
        )

    @admin.action(description=_("Reject and return the diamonds"), permissions=["change"])
    def reject(self, request, queryset):
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                self._each(
                    request,
                    queryset,
                    lambda payout: payout_services.reject_payout(
                        payout_id=payout.pk, staff_user=request.user, reason=reason
                    ),
                    _("%(count)d rejected; their diamonds are back with the creators."),
                )
                return None
        else:
            form = RejectForm()
        return TemplateResponse(
            request,
            "admin/economy/payoutrequest/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject payout requests"),
                "payouts": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Export as CSV for the bank"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="payouts-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for payout in queryset.select_related("creator", "method").order_by("pk"):
            writer.writerow(
                [
                    payout.pk,
                    payout.created_at.isoformat(),
                    payout.creator.username,
                    _csv_safe(payout.method.holder_name),
                    payout.method.kind,
                    _csv_safe(payout.method.bank_name),
                    _csv_safe(payout.method.account),
                    payout.amount.amount,
                    payout.amount.currency,
                    payout.diamonds,
                ]
            )
        return response


def _csv_safe(value: str) -> str:
    """Creators type these; a leading = + - @ would be a formula in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@admin.register(PayoutMethod)
class PayoutMethodAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("creator", "kind", "holder_name", "currency", "created_at", "removed_at")
    list_filter = ("kind", "currency")
    search_fields = ("creator__username", "holder_name")
