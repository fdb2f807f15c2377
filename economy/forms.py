from django import forms
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
