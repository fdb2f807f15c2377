"""SMS providers: Twilio at its HTTP boundary (recorded answers), the dev provider's
outbox, the start-up checks, and what a failed send does to a phone verification."""

import json
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from trust.verification import services, tasks
from trust.verification.models import DevTextMessage, PhoneCode
from trust.verification.sms import check_sms_settings, get_sms_provider
from trust.verification.sms.base import SmsRefused, SmsUnavailable
from trust.verification.sms.dev import DevProvider
from trust.verification.sms.twilio import TwilioProvider

RECORDED = Path(__file__).parent / "recorded"
API_BASE = "https://api.twilio.test"
ACCOUNT_SID = "AC00000000000000000000000000000000"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
TWILIO_SETTINGS = {
    "SMS_PROVIDER": "twilio",
    "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": "test-auth-token",
    "TWILIO_FROM_NUMBER": "+15005550006",
    "TWILIO_API_BASE": API_BASE,
}


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


@pytest.fixture
def twilio_api():
    with respx.mock(base_url=API_BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def provider():
    return TwilioProvider(
        account_sid=ACCOUNT_SID,
        auth_token="test-auth-token",
        from_number="+15005550006",
        api_base=API_BASE,
    )


def test_twilio_posts_the_message_form_with_basic_auth(provider, twilio_api):
    route = twilio_api.post(MESSAGES_PATH).respond(201, json=recorded("twilio_message_queued"))

    receipt = provider.send_text(to="+9779841234567", body="Your HaloBuzz code is 482913.")

    request = route.calls.last.request
    expected_auth = httpx.BasicAuth(ACCOUNT_SID, "test-auth-token")._auth_header
    assert request.headers["Authorization"] == expected_auth
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "To": ["+9779841234567"],
        "From": ["+15005550006"],
        "Body": ["Your HaloBuzz code is 482913."],
    }
    assert receipt.provider_message_id == "SM3f1c6f8a2b0e4d3c9a7b5e2d1c0f9a8b"


def test_twilio_refusing_a_number_raises_a_clear_error(provider, twilio_api):
    twilio_api.post(MESSAGES_PATH).respond(400, json=recorded("twilio_error_invalid_to"))

    with pytest.raises(SmsRefused) as refused:
        provider.send_text(to="+97798", body="code")

    assert refused.value.code == "twilio_21211"
    assert "HTTP 400" in str(refused.value)
    # Twilio's own message quotes the number: it stays out of the error.
    assert "Invalid 'To' Phone Number" not in str(refused.value)


def test_twilio_failing_or_unreachable_is_unavailable_not_refused(provider, twilio_api):
    route = twilio_api.post(MESSAGES_PATH)
    route.return_value = httpx.Response(500, json=recorded("twilio_error_service_unavailable"))
    with pytest.raises(SmsUnavailable, match="HTTP 500"):
        provider.send_text(to="+9779841234567", body="code")

    route.side_effect = httpx.ConnectTimeout("timed out")
    with pytest.raises(SmsUnavailable, match="could not be reached"):
        provider.send_text(to="+9779841234567", body="code")


@pytest.mark.django_db
def test_a_send_twilio_refuses_is_recorded_and_frees_the_cooldown(
    twilio_api, django_capture_on_commit_callbacks, member
):
    route = twilio_api.post(MESSAGES_PATH)
    route.return_value = httpx.Response(400, json=recorded("twilio_error_invalid_to"))

    with override_settings(**TWILIO_SETTINGS):
        with django_capture_on_commit_callbacks(execute=True):
            verification = services.start_phone_verification(
                user=member, raw_number="+9779841234567"
            )
        assert PhoneCode.objects.get(verification=verification).delivery_error == "twilio_21211"

        # The member may try again at once; this time Twilio takes it.
        route.return_value = httpx.Response(201, json=recorded("twilio_message_queued"))
        with django_capture_on_commit_callbacks(execute=True):
            services.resend_phone_code(user=member)
    assert PhoneCode.objects.get(verification=verification).delivery_error == ""


@pytest.mark.django_db
def test_the_dev_provider_keeps_the_last_text_to_each_number_for_staff():
    DevProvider().send_text(to="+919876543210", body="Your HaloBuzz code is 111111.")
    DevProvider().send_text(to="+919876543210", body="Your HaloBuzz code is 222222.")

    assert list(DevTextMessage.objects.values_list("to", "body")) == [
        ("+919876543210", "Your HaloBuzz code is 222222.")
    ]


@override_settings(SMS_PROVIDER="dev", DEBUG=False, SMS_DEV_PROVIDER_WITHOUT_DEBUG=False)
def test_the_dev_provider_is_refused_at_start_up_when_debug_is_off():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        check_sms_settings()
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        apps.get_app_config("verification").ready()


@override_settings(SMS_PROVIDER="dev", DEBUG=True, SMS_DEV_PROVIDER_WITHOUT_DEBUG=False)
def test_the_dev_provider_runs_with_debug_on():
    check_sms_settings()
    assert isinstance(get_sms_provider(), DevProvider)


@override_settings(SMS_PROVIDER="", DEBUG=True)
def test_with_no_provider_named_debug_sites_use_the_dev_one():
    check_sms_settings()
    assert isinstance(get_sms_provider(), DevProvider)


@override_settings(SMS_PROVIDER="", DEBUG=False)
def test_with_no_provider_named_other_sites_text_nobody():
    check_sms_settings()
    assert get_sms_provider() is None


@override_settings(SMS_PROVIDER="carrier-pigeon")
def test_an_unknown_provider_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="carrier-pigeon"):
        check_sms_settings()


@override_settings(**(TWILIO_SETTINGS | {"TWILIO_AUTH_TOKEN": ""}))
def test_twilio_without_its_credentials_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="TWILIO_AUTH_TOKEN"):
        check_sms_settings()


@pytest.mark.django_db
def test_the_request_makes_no_call_to_twilio_and_the_task_makes_one(
    twilio_api, django_capture_on_commit_callbacks, member, monkeypatch
):
    route = twilio_api.post(MESSAGES_PATH).respond(201, json=recorded("twilio_message_queued"))
    queued = []
    monkeypatch.setattr(tasks.send_phone_code, "delay", queued.append)

    with override_settings(**TWILIO_SETTINGS):
        with django_capture_on_commit_callbacks(execute=True):
            services.start_phone_verification(user=member, raw_number="+9779841234567")
        assert not route.called
        tasks.send_phone_code(*queued)
        tasks.send_phone_code(*queued)

    assert route.call_count == 1
    body = parse_qs(route.calls.last.request.content.decode())["Body"][0]
    services.confirm_phone_verification(user=member, code=re.search(r"\d{6}", body).group())


@pytest.mark.django_db
def test_logs_name_the_error_code_but_never_the_number_or_twilios_words(
    twilio_api, django_capture_on_commit_callbacks, member, caplog
):
    caplog.set_level(logging.DEBUG)
    route = twilio_api.post(MESSAGES_PATH)
    route.return_value = httpx.Response(400, json=recorded("twilio_error_invalid_to"))

    with override_settings(**TWILIO_SETTINGS):
        with django_capture_on_commit_callbacks(execute=True):
            services.start_phone_verification(user=member, raw_number="+9779841234567")
        route.return_value = httpx.Response(201, json=recorded("twilio_message_queued"))
        with django_capture_on_commit_callbacks(execute=True):
            services.resend_phone_code(user=member)

    assert "twilio_21211" in caplog.text
    for private in ("+9779841234567", "+977…67", "9841234567", "Invalid 'To' Phone Number"):
        assert private not in caplog.text
