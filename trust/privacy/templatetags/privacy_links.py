from django import template

from trust.privacy.services.exports import download_url

register = template.Library()


@register.simple_tag
def export_download_url(export) -> str:
    """A fresh signed download link for the member's ready export."""
    return download_url(export)
