from functools import cache

from trust.privacy import selectors


def privacy(request) -> dict:
    """`privacy_consent_banner` (show the consent banner?) and
    `scheduled_account_deletion` (the member's pending deletion, for the notice).

    Both are memoized callables (templates call callables), so the queries run once,
    and only on pages that render the notices: htmx fragments never pay for them.
    """

    @cache
    def privacy_consent_banner() -> bool:
        return selectors.needs_consent_choice(request=request)

    @cache
    def scheduled_account_deletion():
        return selectors.get_scheduled_deletion(user=getattr(request, "user", None))

    return {
        "privacy_consent_banner": privacy_consent_banner,
        "scheduled_account_deletion": scheduled_account_deletion,
    }
