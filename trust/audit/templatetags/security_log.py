from django import template

from trust.audit import display
from trust.audit.devices import describe_user_agent

register = template.Library()


@register.filter
def device_name(user_agent: str) -> str:
    """A User-Agent header as "Firefox on Android"."""
    return describe_user_agent(user_agent)


@register.filter
def event_summary(event) -> str:
    return display.event_summary(event)
