from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from economy.models import Asset, LedgerTransaction


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


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=_("Prices in"), choices=settings.CURRENCY_CHOICES)
