"""Forms of the verification page. They check shape only; the services decide, and
their errors land on the field they are about (`add_service_error`)."""

import phonenumbers
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from halobuzz.core.exceptions import ApplicationError
from trust.verification.models import IdentityDocuments
from trust.verification.phones import region_choices

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


def add_service_error(form: forms.Form, error: ApplicationError, *, default_field=None) -> None:
    """Show a service's refusal on the field it names (`extra["field"]`), else on
    `default_field`, else above the form."""
    field = error.extra.get("field") if error.extra else None
    form.add_error(field if field in form.fields else default_field, error.message)


class PhoneNumberForm(forms.Form):
    region = forms.ChoiceField(
        label=_("Country"),
        required=False,
        help_text=_("Used to read numbers written without their country code."),
    )
    raw_number = forms.CharField(
        label=_("Mobile number"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [
            ("", _("None: the number starts with + and its country code")),
            *region_choices(),
        ]
        country = getattr(user, "country", None)
        code = getattr(country, "code", None) or ""
        if code in phonenumbers.SUPPORTED_REGIONS:
            self.fields["region"].initial = code
            example = phonenumbers.example_number_for_type(
                code, phonenumbers.PhoneNumberType.MOBILE
            )
            if example is not None:
                self.fields["raw_number"].widget.attrs["placeholder"] = phonenumbers.format_number(
                    example, phonenumbers.PhoneNumberFormat.NATIONAL
                )
        else:
            self.fields["raw_number"].widget.attrs["placeholder"] = "+977 984-1234567"


class SixDigitCodeField(forms.CharField):
    """Spaces are fine ("123 456"): they go before the six-digit check."""

    def to_python(self, value) -> str:
        return "".join(super().to_python(value).split())


class PhoneCodeForm(forms.Form):
    code = SixDigitCodeField(
        label=_("Code from the text message"),
        max_length=12,
        validators=[RegexValidator(r"^\d{6}$", _("The code is six digits."))],
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"[0-9 ]*",
                "size": 8,
            }
        ),
    )


class IdentityDocumentsForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("Document"),
        choices=IdentityDocuments.DocumentType.choices,
        widget=forms.RadioSelect,
    )
    front = forms.FileField(
        label=_("Front of the document"),
        help_text=_("The side with your photo. All four corners in the picture, no glare."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    back = forms.FileField(
        label=_("Back of the document"),
        required=False,
        help_text=_("Not needed for a passport."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    selfie = forms.FileField(
        label=_("Selfie"),
        help_text=_("Your face, well lit, looking at the camera."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT, "capture": "user"}),
    )
