import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_an_account_locks_after_five_wrong_passwords_even_for_the_right_one(client, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    victim = UserFactory()

    for _ in range(5):
        response = attempt(client, victim.username, "wrong-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()

    response = attempt(client, victim.username, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # The email address names the same account, so it is locked too.
    response = attempt(client, victim.email, DEFAULT_PASSWORD)
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_account(client):
    victim, bystander = UserFactory(), UserFactory()
    for _ in range(5):
        attempt(client, victim.username, "wrong-password")

    response = attempt(client, bystander.username, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bystander.pk)


def test_four_mistakes_do_not_lock_the_account(client):
    user = UserFactory()
    for _ in range(4):
        attempt(client, user.username, "wrong-password")
    response = attempt(client, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 302
