import socket

import pytest
from django.test import override_settings
from django.urls import reverse


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_settings(url: str) -> dict:
    return {
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
        "CHANNEL_LAYERS": {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [{"address": url, "socket_connect_timeout": 1}]},
            }
        },
        "CELERY_BROKER_URL": url,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {},
    }


def test_healthz_answers_while_the_process_lives(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_200_with_every_service_up(client):
    response = client.get(reverse("readyz"))
    body = response.json()
    assert response.status_code == 200, body
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "broker"}


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_unreachable(client):
    with override_settings(**redis_settings(f"redis://127.0.0.1:{closed_port()}/0")):
        response = client.get(reverse("readyz"))
    body = response.json()
    assert response.status_code == 503
    assert body["ready"] is False
    assert body["checks"]["database"]["ok"] is True
    for service in ("cache", "channel_layer", "broker"):
        assert body["checks"][service]["ok"] is False
        assert body["checks"][service]["error"]


@pytest.mark.django_db
@pytest.mark.redis
def test_readyz_is_200_on_real_redis(client, redis_url):
    with override_settings(**redis_settings(redis_url)):
        response = client.get(reverse("readyz"))
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["cache"]["backend"] == "RedisCache"
    assert body["checks"]["channel_layer"]["backend"] == "RedisChannelLayer"
    assert body["checks"]["broker"]["backend"] == "redis"
