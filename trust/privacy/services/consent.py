"""Recording consent choices. Records are only ever added (the history is evidence);
the banner, the settings page and sign-in all come through `record_consent_choices`."""

from django.db import transaction

from trust.privacy import selectors
from trust.privacy.consent_cookie import CookieChoice
from trust.privacy.models import OPTIONAL_PURPOSES, ConsentRecord

ACCEPT_ALL = "accept_all"
REJECT_OPTIONAL = "reject_optional"
BANNER_ANSWERS = (ACCEPT_ALL, REJECT_OPTIONAL)


def choices_for_banner_answer(answer: str) -> dict[str, bool]:
    """The banner's two buttons: every optional purpose granted, or every one withdrawn.
    Raises ValueError for any other answer."""
    if answer not in BANNER_ANSWERS:
        raise ValueError(f"Unknown banner answer: {answer!r}")
    return dict.fromkeys(OPTIONAL_PURPOSES, answer == ACCEPT_ALL)


@transaction.atomic
def record_consent_choices(*, user, choices: dict[str, bool], source: str) -> list[ConsentRecord]:
    """Record the member's choice for each optional purpose under the current policy.

    A purpose gets a new record when its answer changed or its newest record is from
    an older policy version, so the history shows changes and renewals, not every
    press of Save; afterwards every purpose has a choice under the current version.
    Purposes missing from `choices` count as withdrawn. Returns the new records.
    """
    version = selectors.current_policy_version()
    current = selectors.get_current_consents(user=user)
    fresh = []
    for purpose in OPTIONAL_PURPOSES:
        granted = bool(choices.get(purpose, False))
        latest = current[purpose]
        if latest and latest.granted == granted and latest.policy_version == version:
            continue
        fresh.append(
            ConsentRecord.objects.create(
                user=user, purpose=purpose, granted=granted, policy_version=version, source=source
            )
        )
    return fresh


def carry_visitor_choice_to_account(*, user, cookie: CookieChoice | None) -> list[ConsentRecord]:
    """At sign-in: the choice the visitor made before signing in becomes the account's,
    when it is for the current policy and newer than anything the account chose
    (on another device, say). Returns the records added."""
    if cookie is None or cookie.policy_version != selectors.current_policy_version():
        return []
    latest = selectors.get_latest_consent_time(user=user)
    # The cookie keeps whole seconds; a choice in the same second counts as older.
    account_chose_later = latest is not None and latest.replace(microsecond=0) >= cookie.chosen_at
    if account_chose_later and selectors.has_choice_for_current_policy(user=user):
        return []
    return record_consent_choices(
        user=user, choices=cookie.choices, source=ConsentRecord.Source.SIGN_IN
    )
