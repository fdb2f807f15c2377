"""Signing in and changing passwords, email addresses and two-factor settings, through
allauth's pages, each leave one event in the member's security log."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed
from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.core import mail
from django.urls import reverse

from halobuzz.users.mfa import current_totp_code, ensure_totp
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.trust.audit.conftest import MEMBER_IP
from tests.trust.audit.factories import ANDROID_CHROME
from trust.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
NEW_PASSWORD = "a-brand-new-secret-42"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)")


def the_event(user, kind) -> AuditEvent:
    """The one event of `kind` in `user`'s log, from the test client's phone."""
    events = list(AuditEvent.objects.filter(user=user, kind=kind))
    assert len(events) == 1, [event.kind for event in AuditEvent.objects.filter(user=user)]
    event = events[0]
    assert event.ip_address == MEMBER_IP
    assert event.user_agent == ANDROID_CHROME
    return event


def kinds(user) -> list[str]:
    return list(AuditEvent.objects.filter(user=user).values_list("kind", flat=True))


def sign_in(client, user, *, login=None, password=DEFAULT_PASSWORD):
    return client.post(
        reverse("account_login"), {"login": login or user.username, "password": password}
    )


def reauthenticate(client):
    """allauth asks for the password again before changes to two-factor settings."""
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})


def test_signing_in_records_a_login(phone_client):
    member = UserFactory()

    assert sign_in(phone_client, member).status_code == 302

    event = the_event(member, Kind.LOGIN)
    assert event.actor == member
    assert kinds(member) == [Kind.LOGIN]


@pytest.mark.parametrize("use_email", [False, True])
def test_a_wrong_password_records_a_failed_sign_in_for_that_account(phone_client, use_email):
    member = UserFactory()
    login = member.email if use_email else member.username

    response = sign_in(phone_client, member, login=login, password="not-my-password")

    assert response.status_code == 200  # the form again, with its error
    event = the_event(member, Kind.LOGIN_FAILED)
    assert event.actor is None
    assert event.details == {"step": "password"}
    assert kinds(member) == [Kind.LOGIN_FAILED]


def test_a_failed_sign_in_from_a_signed_in_browser_names_no_actor(rf):
    """Someone signed in to their own account tries another account's password
    (through any form that checks passwords): the victim's log must not name the
    attacker's account as having acted."""
    attacker, victim = UserFactory(), UserFactory()
    request = rf.post("/", REMOTE_ADDR=MEMBER_IP, HTTP_USER_AGENT=ANDROID_CHROME)
    request.user = attacker

    assert authenticate(request, username=victim.username, password="a-guess") is None

    event = the_event(victim, Kind.LOGIN_FAILED)
    assert event.actor is None
    assert event.details == {"step": "password"}
    assert not AuditEvent.objects.filter(user=attacker).exists()


def test_a_wrong_password_when_asked_again_names_no_actor(phone_client):
    member = UserFactory()
    phone_client.force_login(member)

    phone_client.post(reverse("account_reauthenticate"), {"password": "not-my-password"})

    assert the_event(member, Kind.LOGIN_FAILED).actor is None


def test_a_failed_sign_in_for_a_name_nobody_has_records_nothing(phone_client):
    phone_client.post(reverse("account_login"), {"login": "nobody", "password": "guess"})
    assert not AuditEvent.objects.exists()


def test_a_wrong_two_factor_code_records_a_failed_sign_in(phone_client):
    member = UserFactory()
    ensure_totp(user=member)
    sign_in(phone_client, member)

    phone_client.post(reverse("mfa_authenticate"), {"code": "000000"})

    event = the_event(member, Kind.LOGIN_FAILED)
    assert event.details == {"step": "two_factor"}
    assert Kind.LOGIN not in kinds(member)


def test_signing_out_records_a_logout(phone_client):
    member = UserFactory()
    sign_in(phone_client, member)

    phone_client.post(reverse("account_logout"))

    assert the_event(member, Kind.LOGOUT).actor == member


def test_changing_the_password_records_it_without_the_password(phone_client):
    member = UserFactory()
    sign_in(phone_client, member)

    response = phone_client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    event = the_event(member, Kind.PASSWORD_CHANGED)
    assert event.details == {}
    assert NEW_PASSWORD not in str(list(AuditEvent.objects.values()))


def test_resetting_the_password_by_email_records_it(phone_client):
    member = UserFactory()
    phone_client.post(reverse("account_reset_password"), {"email": member.email})
    form_page = phone_client.get(RESET_LINK.search(mail.outbox[-1].body).group(1), follow=True)

    phone_client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert the_event(member, Kind.PASSWORD_RESET).actor == member


def test_turning_on_an_authenticator_app_records_one_event(
    phone_client, django_capture_on_commit_callbacks
):
    member = UserFactory()
    sign_in(phone_client, member)
    reauthenticate(phone_client)
    secret = phone_client.get(reverse("mfa_activate_totp")).context["form"].secret

    with django_capture_on_commit_callbacks(execute=True):
        response = phone_client.post(
            reverse("mfa_activate_totp"), {"code": current_totp_code(secret)}
        )

    assert response.status_code == 302
    # Recovery codes were created alongside: part of the same event.
    assert Authenticator.objects.filter(user=member).count() == 2
    event = the_event(member, Kind.MFA_ENABLED)
    assert event.details == {"authenticator": "totp"}
    assert secret not in str(event.details)


def test_turning_off_the_authenticator_app_records_one_event(phone_client):
    member = UserFactory()
    ensure_totp(user=member)
    phone_client.force_login(member)
    reauthenticate(phone_client)

    response = phone_client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member).exists()
    assert the_event(member, Kind.MFA_DISABLED).details == {"authenticator": "totp"}


def test_new_recovery_codes_are_recorded_without_the_codes(
    phone_client, django_capture_on_commit_callbacks
):
    member = UserFactory()
    ensure_totp(user=member)
    phone_client.force_login(member)
    reauthenticate(phone_client)

    with django_capture_on_commit_callbacks(execute=True):
        phone_client.post(reverse("mfa_generate_recovery_codes"))

    event = the_event(member, Kind.MFA_RECOVERY_CODES_REGENERATED)
    assert event.details == {"authenticator": "recovery_codes"}


def test_changing_the_email_address_records_the_new_address_then_the_change(phone_client):
    member = UserFactory(email="old@example.com")
    sign_in(phone_client, member)

    phone_client.post(reverse("account_email"), {"email": "new@example.com", "action_add": ""})

    assert the_event(member, Kind.EMAIL_ADDED).details == {"email": "new@example.com"}
    assert not AuditEvent.objects.filter(user=member, kind=Kind.EMAIL_CHANGED).exists()

    confirm_path = CONFIRM_LINK.search(mail.outbox[-1].body).group(1)
    phone_client.post(confirm_path)

    change = the_event(member, Kind.EMAIL_CHANGED)
    assert change.details == {"from": "old@example.com", "to": "new@example.com"}
    assert change.actor == member


def test_making_another_kept_address_primary_records_a_primary_change(rf):
    member = UserFactory(email="first@example.com")
    first = EmailAddress.objects.get(user=member)
    second = EmailAddress.objects.create(
        user=member, email="second@example.com", verified=True, primary=False
    )
    request = rf.post("/", REMOTE_ADDR=MEMBER_IP, HTTP_USER_AGENT=ANDROID_CHROME)
    request.user = member

    second.set_as_primary()
    email_changed.send(
        sender=EmailAddress,
        request=request,
        user=member,
        from_email_address=first,
        to_email_address=second,
    )

    event = the_event(member, Kind.EMAIL_PRIMARY_CHANGED)
    assert event.details == {"from": "first@example.com", "to": "second@example.com"}
