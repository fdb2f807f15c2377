from django import forms
from django.utils.translation import gettext_lazy as _

from trust.privacy.models import ConsentPurpose
from trust.privacy.services.consent import ACCEPT_ALL, REJECT_OPTIONAL

# What each optional purpose covers, shown beside its toggle.
PURPOSE_HELP = {
    ConsentPurpose.ANALYTICS: _(
        "Counting visits and how pages are used, to see what to improve. HaloBuzz sets "
        "no analytics cookies today; your answer applies as soon as it does."
    ),
    ConsentPurpose.MARKETING: _(
        "News about features, events and offers, and measuring our campaigns. We send "
        "no marketing today; your answer applies as soon as we do."
    ),
}


class BannerChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[(ACCEPT_ALL, ACCEPT_ALL), (REJECT_OPTIONAL, REJECT_OPTIONAL)]
    )
    next = forms.CharField(required=False, max_length=2000)


class ConsentForm(forms.Form):
    analytics = forms.BooleanField(
        label=ConsentPurpose.ANALYTICS.label,
        required=False,
        help_text=PURPOSE_HELP[ConsentPurpose.ANALYTICS],
    )
    marketing = forms.BooleanField(
        label=ConsentPurpose.MARKETING.label,
        required=False,
        help_text=PURPOSE_HELP[ConsentPurpose.MARKETING],
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you."),
    )

    def __init__(self, *args, ask_for_authenticator_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_for_authenticator_code:
            # Not required here: the service says what is missing (one rule, one place).
            self.fields["authenticator_code"] = forms.CharField(
                label=_("Authentication code"),
                required=False,
                max_length=12,
                help_text=_("The code your authenticator app shows now."),
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
                ),
            )
