"""POST /api/v1/gifts/send and the gift catalog, wallet and leaderboard reads."""

import pytest
from rest_framework.test import APIClient

from economy.models import Gift
from tests.economy.ledger_helpers import grant, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

pytestmark = pytest.mark.django_db
SEND_URL = "/api/v1/gifts/send"


@pytest.fixture
def viewer():
    user = UserFactory()
    grant(wallet_of(user), 100)
    return user


@pytest.fixture
def api(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


@pytest.fixture
def stream():
    return LiveStreamFactory()


def send(api, stream, gift_slug="coffee", *, key="abc-1", **extra):
    body = {"stream": stream.pk, "gift": Gift.objects.get(slug=gift_slug).pk, **extra}
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(SEND_URL, body, format="json", headers=headers)


def test_sending_a_gift_answers_with_the_gift_and_the_coins_left(api, stream):
    response = send(api, stream, quantity=3, combo=2)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["gift"]["slug"] == "coffee"
    assert (body["quantity"], body["combo"], body["coins_spent"], body["balance"]) == (3, 2, 30, 70)
    assert body["stream"] == stream.pk


def test_a_repeated_key_answers_the_same_body_and_spends_once(api, stream):
    first = send(api, stream, key="repeat-me")
    again = send(api, stream, key="repeat-me")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert api.get("/api/v1/wallet/").json()["coins"] == 90


def test_the_idempotency_key_header_is_required(api, stream):
    response = send(api, stream, key=None)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert api.get("/api/v1/wallet/").json()["coins"] == 100


def test_not_enough_coins_is_402_with_what_is_missing(api, stream):
    response = send(api, stream, "trophy")

    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "insufficient_coins"
    assert body["extra"] == {"asset": "coins", "needed": 200, "available": 100}


def test_bad_fields_are_400_with_field_errors(api, stream):
    response = api.post(
        SEND_URL,
        {"stream": "x", "gift": 1, "quantity": 0},
        format="json",
        headers={"Idempotency-Key": "k"},
    )

    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"stream", "quantity"}


def test_an_unknown_stream_is_404(api):
    gift = Gift.objects.get(slug="rose")
    response = api.post(
        SEND_URL,
        {"stream": 999999, "gift": gift.pk},
        format="json",
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "stream_not_found"


def test_anonymous_callers_cannot_send(stream):
    response = send(APIClient(), stream)
    assert response.status_code == 401


def test_the_catalog_lists_what_the_caller_can_send(api, viewer):
    viewer.country = "BR"
    viewer.save()

    slugs = [gift["slug"] for gift in api.get("/api/v1/gifts/").json()]

    assert "samba-drum" in slugs and "rose" in slugs
    assert "kite" not in slugs  # Nepal only


def test_top_gifters_of_a_stream_rank_by_coins_given(api, stream, viewer):
    other = UserFactory()
    grant(wallet_of(other), 100)
    other_api = APIClient()
    other_api.force_authenticate(other)
    send(api, stream, "coffee", key="a")
    send(other_api, stream, "mic", key="b")

    rows = APIClient().get(f"/api/v1/streams/{stream.pk}/top-gifters/").json()

    assert [(row["rank"], row["username"], row["score"]) for row in rows] == [
        (1, other.username, 30),
        (2, viewer.username, 10),
    ]
