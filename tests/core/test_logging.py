import json
import logging

import pytest
from django.urls import reverse

from halobuzz.core.logging import JsonFormatter, RequestIdFilter, current_request_id


def test_log_lines_are_json_with_the_request_id_and_extra_fields():
    record = logging.makeLogRecord(
        {"name": "halobuzz.test", "levelname": "INFO", "msg": "gift sent to %s", "args": ("aasha",)}
    )
    record.stream_id = 42
    token = current_request_id.set("req-123")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "gift sent to aasha"
    assert entry["level"] == "INFO"
    assert entry["request_id"] == "req-123"
    assert entry["stream_id"] == 42
    assert "time" in entry


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    assert len(client.get(reverse("healthz"))["X-Request-ID"]) == 32
    echoed = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="proxy-abc.1")
    assert echoed["X-Request-ID"] == "proxy-abc.1"
    unsafe = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert unsafe["X-Request-ID"] != "bad id\nwith newline"
