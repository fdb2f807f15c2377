"""A browser's User-Agent header, told as a person would say it: "Firefox on Android".

Enough to recognise one's own devices in the security log; it is what the browser
claims, not proof of anything.
"""

from django.utils.translation import gettext as _

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("FxiOS", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
# iPhones say "like Mac OS X" and Android says "Linux": the specific ones come first.
SYSTEMS = (
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)
UNRECOGNISED_MAX_LENGTH = 60


def describe_user_agent(user_agent: str) -> str:
    """ "Chrome on Windows", "Safari" or, for a client we do not know (an app, a
    script), the start of what it sent; "" when it sent nothing."""
    user_agent = (user_agent or "").strip()
    if not user_agent:
        return ""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    if len(user_agent) <= UNRECOGNISED_MAX_LENGTH:
        return user_agent
    return user_agent[: UNRECOGNISED_MAX_LENGTH - 1] + "…"
