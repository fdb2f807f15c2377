"""Password reset and changing the email address, through allauth's pages."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-42"


def test_password_reset_by_email_sets_a_new_password(client):
    user = UserFactory(email="forgetful@example.com")

    response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["forgetful@example.com"]
    reset_path = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body
    )
    assert reset_path

    # allauth moves the key out of the URL before showing the form.
    form_page = client.get(reset_path.group(1), follow=True)
    form_url = form_page.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_changing_email_sends_a_verification_to_the_new_address(client):
    user = UserFactory(email="old@example.com")
    client.post(reverse("account_login"), {"login": user.username, "password": DEFAULT_PASSWORD})

    response = client.post(reverse("account_email"), {"email": "new@example.com", "action_add": ""})

    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new@example.com"]
    new_address = EmailAddress.objects.get(user=user, email="new@example.com")
    assert not new_address.verified
    # Until the new address is confirmed, the old one stays in use.
    user.refresh_from_db()
    assert user.email == "old@example.com"
