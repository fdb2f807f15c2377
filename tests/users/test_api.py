import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from halobuzz.users.models import Follow
from tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_me_requires_authentication_and_says_so_in_json(api):
    response = api.get(reverse("api-v1:me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"code", "message", "extra"}


def test_me_with_a_partner_token_returns_private_settings(api):
    user = UserFactory(preferred_currency="NPR")
    token = Token.objects.create(user=user)
    response = api.get(reverse("api-v1:me"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == user.username
    assert body["email"] == user.email
    assert body["preferred_currency"] == "NPR"


def test_patch_me_updates_the_profile(api):
    user = UserFactory()
    api.force_authenticate(user)
    response = api.patch(
        reverse("api-v1:me"),
        {"display_name": "New Name", "country": "BR", "time_zone": "America/Sao_Paulo"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "New Name"
    user.refresh_from_db()
    assert (user.country.code, user.time_zone) == ("BR", "America/Sao_Paulo")


def test_patch_me_with_bad_values_answers_400_with_field_errors_and_changes_nothing(api):
    user = UserFactory(display_name="Kept")
    api.force_authenticate(user)
    response = api.patch(
        reverse("api-v1:me"),
        {"display_name": "Lost", "preferred_language": "klingon"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "preferred_language" in body["extra"]["fields"]
    user.refresh_from_db()
    assert user.display_name == "Kept"


def test_patch_me_cannot_change_read_only_fields(api):
    user = UserFactory()
    api.force_authenticate(user)
    api.patch(reverse("api-v1:me"), {"username": "hijack", "email": "x@y.z"}, format="json")
    user.refresh_from_db()
    assert user.username != "hijack"


def test_user_detail_shows_public_fields_and_counts_only(api):
    star = UserFactory(username="star", is_creator=True)
    FollowFactory(followee=star)
    response = api.get(reverse("api-v1:user-detail", args=["star"]))
    assert response.status_code == 200
    body = response.json()
    assert body["follower_count"] == 1
    assert body["is_creator"] is True
    assert "email" not in body
    assert body["profile_url"].endswith("/@star/")


def test_unknown_user_is_a_404_with_the_error_shape(api):
    response = api.get(reverse("api-v1:user-detail", args=["ghost"]))
    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


def test_follow_and_unfollow_through_the_api(api):
    fan = UserFactory()
    UserFactory(username="star")
    api.force_authenticate(fan)
    url = reverse("api-v1:user-follow", args=["star"])

    assert api.post(url).json() == {"following": True, "follower_count": 1}
    assert api.post(url).json() == {"following": True, "follower_count": 1}
    assert api.delete(url).json() == {"following": False, "follower_count": 0}


def test_following_yourself_through_the_api_is_a_400(api):
    me = UserFactory(username="me_myself")
    api.force_authenticate(me)
    response = api.post(reverse("api-v1:user-follow", args=["me_myself"]))
    assert response.status_code == 400
    assert response.json()["code"] == "cannot_follow_self"
    assert not Follow.objects.exists()


def test_follow_needs_sign_in(api):
    UserFactory(username="star")
    response = api.post(reverse("api-v1:user-follow", args=["star"]))
    assert response.status_code == 401


def test_follower_list_is_paginated_with_a_fixed_number_of_queries(api, django_assert_num_queries):
    star = UserFactory(username="star")
    for _ in range(25):
        FollowFactory(followee=star)
    # 1 profile lookup, 1 count, 1 page of users.
    with django_assert_num_queries(3):
        response = api.get(reverse("api-v1:user-followers", args=["star"]))
    body = response.json()
    assert body["count"] == 25
    assert len(body["results"]) == 20
    assert body["next"]


def test_anonymous_clients_are_throttled_with_a_json_error(api, monkeypatch):
    # DRF copies the rates onto the class at import, so patch them there.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    UserFactory(username="star")
    url = reverse("api-v1:user-detail", args=["star"])
    statuses = [api.get(url).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api.get(url).json()["code"] == "throttled"
