"""At sign-in, the consent choice a visitor made before signing in becomes the
account's (connected in PrivacyConfig.ready)."""

from trust.privacy import consent_cookie
from trust.privacy.services.consent import carry_visitor_choice_to_account


def carry_consent_choice_on_sign_in(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    carry_visitor_choice_to_account(user=user, cookie=consent_cookie.read_choice(request))
