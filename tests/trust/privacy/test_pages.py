"""The privacy pages: the policy, the settings page for visitors and members, the
links that lead there, and the deletion page's warnings."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.template.base import Lexer, TokenType
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.economy.ledger_helpers import grant, wallet_of
from tests.trust.privacy.factories import ConsentRecordFactory
from trust.privacy.models import ConsentPurpose

pytestmark = pytest.mark.django_db


def test_the_policy_says_what_is_kept_and_for_how_long(client, settings):
    settings.PRIVACY_POLICY_VERSION = "3.1"
    settings.PRIVACY_POLICY_UPDATED_ON = "2026-12-01"
    settings.PRIVACY_CONTACT_EMAIL = "privacy@halobuzz.example"

    page = client.get(reverse("privacy:policy")).content.decode()

    assert "Version 3.1, last updated 2026-12-01." in page
    for subject in ("Your account", "Streams", "Chat", "Coins, gifts and payments", "Verification"):
        assert f"<h3>{subject}</h3>" in page
    for cookie in ("sessionid", "csrftoken", "halobuzz_language", "halobuzz_consent"):
        assert f"<code>{cookie}</code>" in page
    assert "cool-off of 14 days" in page
    assert "deleted 30 days after staff approve or decline them" in page
    assert "mailto:privacy@halobuzz.example" in page


def test_the_policy_tells_the_truth_about_payout_accounts(client):
    page = client.get(reverse("privacy:policy")).content.decode()

    assert "stored encrypted" not in page
    assert "stored in our database as you enter it" in page
    assert "visible to the HaloBuzz finance staff who send payouts" in page


@pytest.mark.parametrize("page_name", ["privacy:policy", "privacy:delete_account"])
def test_the_deletion_texts_say_what_is_kept_and_what_is_removed(client, user, page_name):
    client.force_login(user)

    page = client.get(reverse(page_name)).content.decode().replace("&#x27;", "'")

    assert "security log's events" in page
    assert "IP addresses, browsers and details" in page
    assert "phone number, email address and details of your verifications" in page
    assert "fans' subscriptions to your channel" in page
    assert "months already paid simply run out" in page


@pytest.mark.parametrize(
    "template_name",
    [
        "policy.html",
        "settings.html",
        "_export_section.html",
        "_notices.html",
        "delete_account.html",
        "export_expired.html",
        "email/export_ready.txt",
        "email/deletion_scheduled.txt",
        "email/account_deleted.txt",
    ],
)
def test_every_sentence_on_the_privacy_pages_is_marked_for_translation(template_name):
    source = (settings.BASE_DIR / "templates/trust/privacy" / template_name).read_text()
    # The text a reader sees outside {% translate %} / {% blocktranslate %}: template
    # tags, variables, comments and translated blocks become a blank.
    outside = []
    skipping = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if skipping is None and name in ("blocktranslate", "comment"):
                skipping = f"end{name}"
            elif name == skipping:
                skipping = None
            outside.append(" ")
        elif token.token_type == TokenType.TEXT and skipping is None:
            outside.append(token.contents)
        else:
            outside.append(" ")
    # Cookie names in <code> are names, not sentences.
    visible = re.sub(r"<code>[^<]*</code>|<[^>]*>|&[a-z]+;", " ", "".join(outside))
    untranslated = re.findall(r"[A-Za-z]{2,}(?:\s+[A-Za-z]{2,})*", visible)
    assert untranslated == []


def test_the_footer_links_to_the_policy_and_the_account_menu_to_the_settings(client, user):
    assert f'href="{reverse("privacy:policy")}"' in client.get("/").content.decode()

    client.force_login(user)
    page = client.get("/").content.decode()

    assert f'href="{reverse("privacy:settings")}">Privacy & data</a>' in page


def test_visitors_can_choose_cookies_and_are_asked_to_sign_in_for_the_rest(client):
    page = client.get(reverse("privacy:settings")).content.decode()

    assert 'name="analytics"' in page
    assert 'name="marketing"' in page
    assert 'name="necessary"' not in page
    assert "Always on" in page
    assert "Sign in</a> to see your consent history" in page
    assert 'id="consent-banner"' not in page


def test_a_member_without_choices_sees_what_to_do_next(client, user):
    client.force_login(user)

    page = client.get(reverse("privacy:settings")).content.decode()

    assert "You have not made any choices yet." in page
    assert "Ask for a copy of my data" in page
    assert f'href="{reverse("privacy:delete_account")}"' in page


def test_the_settings_page_reads_the_same_number_of_queries_for_a_long_history(
    client, user, django_assert_num_queries
):
    client.force_login(user)
    ConsentRecordFactory(user=user)
    client.get(reverse("privacy:settings"))
    with CaptureQueriesContext(connection) as short_history:
        client.get(reverse("privacy:settings"))
    ConsentRecordFactory.create_batch(15, user=user, purpose=ConsentPurpose.MARKETING)

    with django_assert_num_queries(len(short_history)):
        client.get(reverse("privacy:settings"))


def test_the_deletion_page_warns_about_coins_that_would_be_lost(client, user):
    grant(wallet_of(user), 250)
    client.force_login(user)

    page = client.get(reverse("privacy:delete_account")).content.decode()

    assert "You still have 250 coins and 0 diamonds." in page
    assert 'autocomplete="current-password"' in page


def test_privacy_pages_need_a_member_where_they_concern_an_account(client):
    for name in ("delete_account", "export_status"):
        response = client.get(reverse(f"privacy:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
