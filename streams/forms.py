from django import forms
from django.utils.translation import gettext_lazy as _

from halobuzz.core.exceptions import ApplicationError
from streams.models import STREAM_LANGUAGES, TITLE_MAX_LENGTH
from streams.selectors import list_categories

# Which form field a service error belongs to, by its code prefix.
ERROR_FIELDS = {"title": "title", "schedule": "scheduled_start", "tag": "tags"}


class StreamDetailsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("What are you streaming?")}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=list_categories(), required=False, empty_label=_("None")
    )
    language = forms.ChoiceField(label=_("Language"), choices=STREAM_LANGUAGES)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Up to 10, separated by spaces or commas."),
        widget=forms.TextInput(attrs={"placeholder": _("acoustic nepali request")}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    record = forms.BooleanField(label=_("Record this stream and keep the video"), required=False)

    def add_service_error(self, error: ApplicationError) -> None:
        field = next(
            (name for prefix, name in ERROR_FIELDS.items() if error.code.startswith(prefix)), None
        )
        self.add_error(field if field in self.fields else None, error.message)

    def stream_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "category": data["category"],
            "language": data["language"],
            "tags": data["tags"],
            "description": data["description"],
            "record": data["record"],
        }


class ScheduleStreamForm(StreamDetailsForm):
    scheduled_start = forms.DateTimeField(
        label=_("Starts at"),
        help_text=_("In your time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def stream_fields(self) -> dict:
        return {**super().stream_fields(), "scheduled_start": self.cleaned_data["scheduled_start"]}
