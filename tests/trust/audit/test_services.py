"""`record_audit_event`: what it keeps, what it refuses, where it takes the address."""

import pytest
from allauth.core import context as allauth_context
from django.contrib.auth.models import AnonymousUser

from tests.factories import UserFactory
from tests.trust.audit.factories import ANDROID_CHROME
from trust.audit.devices import describe_user_agent
from trust.audit.models import USER_AGENT_MAX_LENGTH, AuditEvent
from trust.audit.services import REDACTED, record_audit_event

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind


def phone_request(rf, user=None, **meta):
    request = rf.post(
        "/", **{"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": ANDROID_CHROME, **meta}
    )
    request.user = user or AnonymousUser()
    return request


def test_an_event_keeps_the_address_the_browser_and_the_signed_in_actor(rf):
    member = UserFactory()

    event = record_audit_event(
        user=member,
        kind=Kind.PHONE_CHANGED,
        request=phone_request(rf, member),
        details={"phone": "+977 98••••0001"},
    )

    assert (event.user, event.actor, event.kind) == (member, member, Kind.PHONE_CHANGED)
    assert event.ip_address == "203.0.113.9"
    assert event.user_agent == ANDROID_CHROME
    assert event.details == {"phone": "+977 98••••0001"}


def test_without_a_request_argument_the_request_being_served_is_used(rf):
    member = UserFactory()
    with allauth_context.request_context(phone_request(rf, member)):
        event = record_audit_event(user=member, kind=Kind.PAYOUT_REQUESTED)
    assert (event.ip_address, event.actor) == ("203.0.113.9", member)


def test_outside_a_request_there_is_no_address_and_no_actor():
    event = record_audit_event(user=UserFactory(), kind=Kind.PAYOUT_REQUESTED)
    assert (event.ip_address, event.user_agent, event.actor) == (None, "", None)


def test_an_event_with_no_known_actor_names_nobody_even_with_a_member_signed_in(rf):
    member, signed_in_elsewhere = UserFactory(), UserFactory()

    event = record_audit_event(
        user=member,
        kind=Kind.LOGIN_FAILED,
        actor_known=False,
        request=phone_request(rf, signed_in_elsewhere),
    )

    assert event.actor is None
    assert event.ip_address == "203.0.113.9"


def test_no_known_actor_and_an_actor_together_is_a_programming_error():
    member = UserFactory()
    with pytest.raises(ValueError, match="actor_known=False"):
        record_audit_event(user=member, kind=Kind.LOGIN_FAILED, actor=member, actor_known=False)


def test_a_long_user_agent_is_cut_to_fit(rf):
    request = phone_request(rf, HTTP_USER_AGENT="X" * 2000)
    event = record_audit_event(user=UserFactory(), kind=Kind.LOGIN, request=request)
    assert event.user_agent == "X" * USER_AGENT_MAX_LENGTH


def test_secrets_in_details_are_never_stored():
    event = record_audit_event(
        user=UserFactory(),
        kind=Kind.PHONE_CHANGED,
        details={
            "password": "hunter2",
            "mfa_code": "123456",
            "recovery_codes": ["a1b2", "c3d4"],
            "verification": {"token": "tok_123", "phone": "+977"},
            "step": "password",
        },
    )
    event.refresh_from_db()
    assert event.details == {
        "password": REDACTED,
        "mfa_code": REDACTED,
        "recovery_codes": REDACTED,
        "verification": {"token": REDACTED, "phone": "+977"},
        "step": "password",
    }


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown security event kind"):
        record_audit_event(user=UserFactory(), kind="coffee_brewed")


@pytest.mark.parametrize(
    ("user_agent", "shown"),
    [
        (ANDROID_CHROME, "Chrome on Android"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", ""),
    ],
)
def test_browsers_are_named_as_people_know_them(user_agent, shown):
    assert describe_user_agent(user_agent) == shown
