"""The "Trust & verification" page: what is done, what is next, and why a layer was
rejected, with the phone and identity flows driven through its forms."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tests.trust.verification.factories import (
    last_text_code,
    photo_upload,
    staff_with_permissions,
)
from trust.verification import services, tasks
from trust.verification.models import Verification
from trust.verification.sms.base import SmsRefused
from trust.verification.sms.dev import DevProvider

pytestmark = pytest.mark.django_db

PAGE = "/trust/verification/"


def page_of(client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def layer_html(page: str, kind: str) -> str:
    match = re.search(rf'<li class="card verification-layer" id="layer-{kind}".*?</li>', page, re.S)
    assert match, f"no {kind} layer on the page"
    return match.group(0)


def layer_state(page: str, kind: str) -> str:
    return re.search(r'data-state="([a-z_]+)"', layer_html(page, kind)).group(1)


def next_step(page: str) -> str:
    return re.search(r'data-next-step="([a-z]*)"', page).group(1)


def test_the_page_needs_signing_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_account_menu_links_to_the_page(client, member):
    client.force_login(member)

    assert f'href="{PAGE}"' in client.get(reverse("notifications:list")).content.decode()


@pytest.mark.usefixtures("sms_dev")
def test_a_new_member_sees_email_done_and_phone_next(client, member):
    client.force_login(member)

    page = page_of(client)

    assert layer_state(page, "email") == "verified"
    assert "asha@example.com" in layer_html(page, "email")
    assert next_step(page) == "phone"
    assert layer_state(page, "phone") == "not_started"
    # The country is preselected from the profile, so a national number is enough.
    assert re.search(r'<option value="NP" selected>Nepal \(\+977\)</option>', page)
    assert layer_state(page, "identity") == "not_eligible"
    assert "Identity verification is for creators" in layer_html(page, "identity")
    assert 'name="selfie"' not in page


@pytest.mark.usefixtures("sms_dev")
def test_a_member_who_has_not_confirmed_their_email_is_sent_to_allauth(client, member):
    EmailAddress.objects.filter(user=member).update(verified=False)
    client.force_login(member)

    page = page_of(client)

    assert next_step(page) == "email"
    assert f'href="{reverse("account_email")}"' in layer_html(page, "email")


def test_only_layers_with_a_flow_are_listed(client, creator, settings):
    settings.SMS_PROVIDER = ""  # no SMS provider: no phone layer
    client.force_login(creator)

    page = page_of(client)

    assert re.findall(r'id="layer-([a-z]+)"', page) == ["email", "identity"]
    for kind in ("social", "bank", "address"):
        assert f"layer-{kind}" not in page


@pytest.mark.usefixtures("sms_dev")
def test_verifying_a_phone_through_the_page(client, member, django_capture_on_commit_callbacks):
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("verification:start-phone"), {"region": "NP", "raw_number": "984 1234567"}
        )
    assert response.status_code == 302
    page = page_of(client)
    assert layer_state(page, "phone") == "awaiting_member"
    assert "We texted a code to <strong>+977 984-1234567</strong> (it works until" in page

    wrong = client.post(reverse("verification:confirm-phone"), {"code": "000 000"})
    if last_text_code("+9779841234567") != "000000":
        assert "That is not the code we sent. 4 tries left." in wrong.content.decode()

    response = client.post(
        reverse("verification:confirm-phone"), {"code": last_text_code("+9779841234567")}
    )
    assert response.status_code == 302
    page = page_of(client)
    assert layer_state(page, "phone") == "verified"
    assert "<strong>+977 984-1234567</strong> is verified" in page


@pytest.mark.usefixtures("sms_dev")
def test_a_text_the_provider_refused_is_explained_on_the_page(
    client, member, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, *, to, body):
        raise SmsRefused("HTTP 400: unreachable destination", code="twilio_21612")

    monkeypatch.setattr(DevProvider, "send_text", refuse)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("verification:start-phone"), {"raw_number": "+919876543210"})

    phone = layer_html(page_of(client), "phone")

    assert "We could not send a text to <strong>+91 98765 43210</strong>" in phone
    assert 'name="code"' not in phone
    assert "Send a new code" in phone


@pytest.mark.usefixtures("sms_dev")
def test_a_bad_number_shows_on_its_field(client, member):
    client.force_login(member)

    response = client.post(reverse("verification:start-phone"), {"region": "", "raw_number": "98"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "field--invalid" in page
    assert "starting with +" in page


@pytest.mark.usefixtures("sms_dev")
def test_a_code_that_is_not_six_digits_is_refused_by_the_form(client, member):
    client.force_login(member)
    services.start_phone_verification(user=member, raw_number="+9779841234567")

    response = client.post(reverse("verification:confirm-phone"), {"code": "12a"})

    assert "The code is six digits." in response.content.decode()


def test_a_creator_sends_documents_through_the_page(client, creator, private_media):
    client.force_login(creator)
    assert next_step(page_of(client)) == "identity"

    response = client.post(
        reverse("verification:submit-identity"),
        {
            "document_type": "passport",
            "front": photo_upload("front.jpg"),
            "selfie": photo_upload("me.jpg"),
        },
    )

    assert response.status_code == 302
    page = page_of(client)
    assert layer_state(page, "identity") == "in_review"
    assert "We are checking the Passport you sent" in page
    assert next_step(page) == ""
    assert "Nothing to do for now" in page


def test_a_missing_back_is_shown_on_the_back_field(client, creator):
    client.force_login(creator)

    response = client.post(
        reverse("verification:submit-identity"),
        {
            "document_type": "national_id",
            "front": photo_upload("front.jpg"),
            "selfie": photo_upload("me.jpg"),
        },
    )

    assert "Add a photo of the back of your document." in response.content.decode()
    assert not Verification.objects.filter(kind="identity").exists()


def test_the_creator_reads_why_their_documents_were_rejected(client, submitted_identity, creator):
    reviewer = staff_with_permissions("review_verification")
    services.reject_verification(
        reviewer=reviewer,
        verification=submitted_identity,
        reason="The photo of the front is blurred; take it again in daylight.",
    )
    client.force_login(creator)

    page = page_of(client)

    identity = layer_html(page, "identity")
    assert layer_state(page, "identity") == "rejected"
    assert "The photo of the front is blurred; take it again in daylight." in identity
    assert 'name="front"' in identity  # and may send new photos
    assert next_step(page) == "identity"


def test_a_verified_creator_is_all_set(client, submitted_identity, creator):
    services.approve_verification(
        reviewer=staff_with_permissions("review_verification"), verification=submitted_identity
    )
    client.force_login(creator)

    page = page_of(client)

    assert layer_state(page, "identity") == "verified"
    assert "every layer you can verify is verified" in page


@pytest.mark.usefixtures("sms_dev")
def test_the_page_reads_its_layers_in_a_fixed_number_of_queries(
    client, member, django_capture_on_commit_callbacks, settings
):
    """Other apps' context processors add their own queries; these are this page's."""
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    client.force_login(member)

    def own_queries() -> list[str]:
        with CaptureQueriesContext(connection) as context:
            assert client.get(PAGE).status_code == 200
        return [
            query["sql"]
            for query in context.captured_queries
            if "verification_" in query["sql"] or "account_emailaddress" in query["sql"]
        ]

    client.get(PAGE)  # the first visit records the verified email address
    before = own_queries()
    with django_capture_on_commit_callbacks(execute=True):
        for number in ("+9779841234567", "+919876543210", "+5511912345678"):
            services.start_phone_verification(user=member, raw_number=number)
    after = own_queries()

    # The email sync (addresses, the verified row), then every layer's rows at once.
    assert len(before) == len(after) == 3


@pytest.mark.usefixtures("sms_dev")
def test_the_page_states_the_code_lifetime_the_settings_give(client, member, settings):
    settings.PHONE_CODE_LIFETIME_SECONDS = 15 * 60
    client.force_login(member)

    assert "It works for 15 minutes." in layer_html(page_of(client), "phone")


@pytest.mark.usefixtures("sms_dev")
def test_while_the_text_is_queued_the_page_says_it_is_on_its_way(
    client, member, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.send_phone_code, "delay", queued.append)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("verification:start-phone"), {"raw_number": "+919876543210"})

    phone = layer_html(page_of(client), "phone")
    assert "We are texting a code to <strong>+91 98765 43210</strong>" in phone
    assert 'name="code"' in phone

    tasks.send_phone_code(*queued)
    assert "We texted a code to <strong>+91 98765 43210</strong>" in page_of(client)


@pytest.mark.usefixtures("sms_dev")
def test_one_client_address_cannot_have_texts_sent_for_account_after_account(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PHONE_CODE_SENDS_PER_HOUR_PER_IP = 2
    for ending in (1, 2):
        client.force_login(UserFactory())
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("verification:start-phone"), {"raw_number": f"+91987654321{ending}"}
            )
        assert response.status_code == 302

    client.force_login(UserFactory())
    response = client.post(reverse("verification:start-phone"), {"raw_number": "+919876543213"})

    assert "We have sent too many codes." in response.content.decode()
    assert not Verification.objects.filter(subject="+919876543213").exists()
