"""The admin console: branded, and staff must use two-factor authentication."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from halobuzz.users.mfa import current_totp_code, ensure_totp
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return response


def test_anonymous_visitors_are_sent_to_the_site_sign_in(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_signed_in_members_who_are_not_staff_are_refused(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:index"), follow=True).status_code == 403


def test_staff_without_mfa_are_sent_to_set_up_an_authenticator(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, staff)

    for url in (reverse("admin:index"), reverse("admin:users_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_who_set_up_totp_reach_the_console(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, staff)

    # allauth asks for the password again before any change to two-factor settings.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("mfa_activate_totp")

    activation = client.get(reverse("mfa_activate_totp"))
    secret = activation.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type="totp").exists()

    console = client.get(reverse("admin:index"))
    assert console.status_code == 200
    assert "HaloBuzz console" in console.content.decode()


def test_staff_with_totp_must_give_a_code_at_sign_in_then_reach_the_console(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = ensure_totp(user=staff)

    response = sign_in(client, staff)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    console = client.get(reverse("admin:index"))
    assert console.status_code == 200
    assert "HaloBuzz console" in console.content.decode()


def test_the_user_list_is_searchable_and_filterable(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    ensure_totp(user=staff)
    client.force_login(staff)
    UserFactory(username="kathmandu_kid", country="NP", preferred_language="ne")
    UserFactory(username="rio_rider", country="BR", preferred_language="pt-br")

    changelist = reverse("admin:users_user_changelist")
    searched = client.get(changelist, {"q": "kathmandu"}).content.decode()
    assert "kathmandu_kid" in searched and "rio_rider" not in searched
    filtered = client.get(changelist, {"country": "BR"}).content.decode()
    assert "rio_rider" in filtered and "kathmandu_kid" not in filtered
    by_language = client.get(changelist, {"preferred_language__exact": "ne"}).content.decode()
    assert "kathmandu_kid" in by_language and "rio_rider" not in by_language
