from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from economy.models import Asset, LedgerTransaction, PayoutMethod, SubscriptionLevel


class HistoryFilterForm(forms.Form):
    asset = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Coins and diamonds")), *Asset.choices],
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Everything")), *LedgerTransaction.Kind.choices],
    )


class BuyCoinsForm(forms.Form):
    """One press of a package's pay button: which package, how, in which currency."""

    package = forms.IntegerField(min_value=1)
    provider = forms.CharField(max_length=32)
    currency = forms.ChoiceField(choices=settings.CURRENCY_CHOICES)


class SubscribeWithMoneyForm(forms.Form):
    """A month of a creator subscription through a payment provider."""

    level = forms.TypedChoiceField(coerce=int, choices=SubscriptionLevel.choices)
    provider = forms.CharField(max_length=32)
    currency = forms.ChoiceField(choices=settings.CURRENCY_CHOICES)
    renews_monthly = forms.BooleanField(required=False)


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=_("Prices in"), choices=settings.CURRENCY_CHOICES)


class PayoutMethodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Paid to"), choices=PayoutMethod.Kind.choices)
    holder_name = forms.CharField(label=_("Account holder's name"), max_length=120)
    bank_name = forms.CharField(
        label=_("Bank"), max_length=120, required=False, help_text=_("For a bank account.")
    )
    account = forms.CharField(
        label=_("Account number, IBAN or wallet ID"),
        max_length=64,
        help_text=_("eSewa: your eSewa ID; Khalti: your mobile number."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=settings.CURRENCY_CHOICES)


class PayoutRequestForm(forms.Form):
    diamonds = forms.IntegerField(label=_("Diamonds to withdraw"), min_value=1)
    method = forms.TypedChoiceField(label=_("Pay to"), coerce=int)
    mfa_code = forms.CharField(
        label=_("Authentication code"),
        max_length=12,
        help_text=_("The code your authenticator app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    # One per form shown: pressing twice withdraws once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(method.pk, str(method)) for method in methods]
