"""Operators' view of the ledger: read-only, by design.

Accounts, transactions and entries cannot be added, changed or deleted here. A
mistake is put right with an *adjustment*: a reasoned transaction against the
platform's corrections account, posted through `economy.services.adjustments` and
shown in the history like any other.
"""

import secrets

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from economy.exceptions import EconomyError
from economy.models import Account, LedgerEntry, LedgerTransaction
from economy.selectors.ledger import get_account_balance
from economy.services.adjustments import REASON_MIN_LENGTH, post_adjustment
from halobuzz.core.admin_mixins import ReadOnlyAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class EntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ("account", "amount", "rolled_up", "created_at")
    readonly_fields = fields
    extra = 0


class AdjustmentForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Amount"),
        help_text=_("Positive adds to the account; negative takes from it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=REASON_MIN_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the transaction for ever. Cite the ticket or report."),
    )
    # One per form shown: submitting the same form twice posts once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("Enter a non-zero amount."))
        return amount


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "asset", "owner", "provider", "current_balance")
    list_filter = ("kind", "asset", "provider")
    search_fields = ("owner__username", "owner__email")
    list_select_related = ("owner",)
    readonly_fields = (
        "kind",
        "asset",
        "owner",
        "provider",
        "may_go_negative",
        "balance",
        "current_balance",
        "created_at",
        "adjust_link",
    )

    @admin.display(description=_("balance"))
    def current_balance(self, account):
        return get_account_balance(account=account)

    @admin.display(description=_("correct it"))
    def adjust_link(self, account):
        url = reverse("admin:economy_account_adjust", args=[account.pk])
        return format_html('<a href="{}">{}</a>', url, _("Post an adjustment…"))

    def get_urls(self):
        return [
            path(
                "<int:account_id>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="economy_account_adjust",
            ),
            *super().get_urls(),
        ]

    def adjust_view(self, request, account_id):
        if not request.user.has_perm("economy.add_ledgertransaction"):
            raise PermissionDenied
        account = get_object_or_404(Account, pk=account_id)
        if request.method == "POST":
            form = AdjustmentForm(request.POST)
            if form.is_valid():
                try:
                    posted = post_adjustment(
                        account=account,
                        amount=form.cleaned_data["amount"],
                        reason=form.cleaned_data["reason"],
                        staff_user=request.user,
                        idempotency_key=form.cleaned_data["idempotency_key"],
                    )
                except EconomyError as error:
                    form.add_error(None, error.message)
                else:
                    self.message_user(
                        request,
                        _("Adjustment posted as transaction #%(id)s.")
                        % {"id": posted.transaction.pk},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:economy_account_change", args=[account.pk])
                    )
        else:
            form = AdjustmentForm(initial={"idempotency_key": secrets.token_urlsafe(24)})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Adjust %(account)s") % {"account": account},
            "account": account,
            "balance": get_account_balance(account=account),
            "form": form,
        }
        return TemplateResponse(request, "admin/economy/account/adjust.html", context)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "reference_type", "reference_id", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "reference_id", "memo")
    date_hierarchy = "created_at"
    list_select_related = ("created_by",)
    readonly_fields = (
        "kind",
        "idempotency_key",
        "reference_type",
        "reference_id",
        "memo",
        "created_by",
        "created_at",
    )
    inlines = [EntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("pk", "transaction", "account", "amount", "rolled_up", "created_at")
    list_filter = ("account__kind", "account__asset", "rolled_up")
    search_fields = ("account__owner__username",)
    list_select_related = ("transaction", "account__owner")
    readonly_fields = ("transaction", "account", "amount", "rolled_up", "created_at")
