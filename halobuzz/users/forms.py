from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from halobuzz.users.models import User
from halobuzz.users.services import PROFILE_FIELDS


class ProfileForm(forms.ModelForm):
    avatar_upload = forms.FileField(
        label=_("New avatar"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, up to 5 MB. We crop it to a square."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        widgets = {"bio": forms.Textarea(attrs={"rows": 4, "maxlength": 500})}
        help_texts = {
            "display_name": _("How your name appears on streams and in chat."),
            "bio": _("Up to 500 characters about you and what you stream."),
        }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
