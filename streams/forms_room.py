"""Forms for the host's chat settings page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from streams.models import ChatSettings
from trust.models import TERM_MAX_LENGTH


class ChatSettingsForm(forms.ModelForm):
    class Meta:
        model = ChatSettings
        fields = [
            "slow_mode_seconds",
            "followers_only_minutes",
            "emote_only",
            "subscribers_only",
            "automod_threshold",
            "automod_action",
        ]
        widgets = {
            "automod_threshold": forms.NumberInput(
                attrs={"step": "0.05", "min": "0.05", "max": "1"}
            ),
        }


class AddModeratorForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=31,
        widget=forms.TextInput(attrs={"placeholder": _("@username"), "autocomplete": "off"}),
    )


class BlockedTermForm(forms.Form):
    term = forms.CharField(
        label=_("Word or phrase"),
        max_length=TERM_MAX_LENGTH,
        help_text=_("Also blocks it in capitals, with accents, l33t spelling or repeated letters."),
    )
