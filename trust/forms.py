from django import forms
from django.utils.translation import gettext_lazy as _

from trust.models import Report
from trust.models.cases import APPEAL_STATEMENT_MAX_LENGTH, NOTE_MAX_LENGTH


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything our moderators should know (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Why is this decision wrong?"),
        max_length=APPEAL_STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A senior moderator who did not take the decision reads it. You can appeal once."
        ),
    )
