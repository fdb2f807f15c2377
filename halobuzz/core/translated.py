"""Catalog rows (stream categories, gifts...) carry their own name in each site
language: `name` (English) plus `name_ne`, `name_hi` and `name_pt_br`, filled in the
admin. Interface strings go through gettext; these are data."""

from django.utils import translation

# Site language code -> the suffix of its column.
LANGUAGE_FIELD_SUFFIXES = {"ne": "ne", "hi": "hi", "pt-br": "pt_br"}


def localized_value(obj, field: str, language_code: str | None = None) -> str:
    """`obj.<field>` in the given (or active) language, falling back to English."""
    language_code = (language_code or translation.get_language() or "en").lower()
    suffix = LANGUAGE_FIELD_SUFFIXES.get(language_code)
    translated = getattr(obj, f"{field}_{suffix}", "") if suffix else ""
    return translated or getattr(obj, field)
