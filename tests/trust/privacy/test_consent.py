"""Consent: the banner on a first visit, choices on the settings page, the history a
member can read, a new policy version asking again, and a visitor's choice carried
into their account when they sign in."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.trust.privacy.factories import ConsentRecordFactory
from trust.privacy.models import ConsentPurpose, ConsentRecord
from trust.privacy.selectors import has_consent

pytestmark = pytest.mark.django_db

BANNER = 'id="consent-banner"'


def answer_banner(client, choice: str, *, next_url: str = "/"):
    return client.post(reverse("privacy:consent_banner"), {"choice": choice, "next": next_url})


def recorded(user) -> list[tuple[str, bool, str, str]]:
    return list(
        ConsentRecord.objects.filter(user=user)
        .order_by("pk")
        .values_list("purpose", "granted", "policy_version", "source")
    )


def test_a_first_time_visitor_sees_the_banner_until_they_choose(client):
    first_visit = client.get(reverse("privacy:policy"))
    assert BANNER in first_visit.content.decode()
    assert "Accept all" in first_visit.content.decode()
    assert "Reject optional" in first_visit.content.decode()

    response = answer_banner(client, "accept_all", next_url=reverse("privacy:policy"))

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:policy")
    assert settings.PRIVACY_CONSENT_COOKIE_NAME in response.cookies
    assert BANNER not in client.get(reverse("privacy:policy")).content.decode()
    assert BANNER not in client.get("/").content.decode()


def test_the_banner_is_a_plain_form_that_works_without_script(client):
    page = client.get("/").content.decode()
    banner = page[page.index(BANNER) :]
    assert f'action="{reverse("privacy:consent_banner")}"' in banner
    assert 'name="choice" value="accept_all"' in banner
    assert 'name="choice" value="reject_optional"' in banner
    assert f'href="{reverse("privacy:settings")}"' in banner


def test_a_banner_answer_never_redirects_off_the_site(client):
    response = answer_banner(client, "reject_optional", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_visitor_choices_live_only_in_their_cookie(client):
    answer_banner(client, "accept_all")
    request = RequestFactory().get("/")
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    request.user = AnonymousUser()

    assert has_consent(request_or_user=request, purpose=ConsentPurpose.ANALYTICS)
    assert has_consent(request_or_user=request, purpose=ConsentPurpose.MARKETING)
    assert not ConsentRecord.objects.exists()


def test_a_tampered_consent_cookie_counts_as_no_choice(client):
    answer_banner(client, "accept_all")
    cookie = client.cookies[settings.PRIVACY_CONSENT_COOKIE_NAME]
    client.cookies[settings.PRIVACY_CONSENT_COOKIE_NAME] = cookie.value[:-3] + "abc"

    assert BANNER in client.get(reverse("privacy:policy")).content.decode()


def test_reject_optional_records_analytics_and_marketing_as_withdrawn(client, user):
    client.force_login(user)

    answer_banner(client, "reject_optional")

    assert recorded(user) == [
        ("analytics", False, "1.0", "banner"),
        ("marketing", False, "1.0", "banner"),
    ]
    assert not has_consent(request_or_user=user, purpose=ConsentPurpose.ANALYTICS)
    assert not has_consent(request_or_user=user, purpose=ConsentPurpose.MARKETING)
    assert has_consent(request_or_user=user, purpose=ConsentPurpose.NECESSARY)
    assert BANNER not in client.get("/").content.decode()


def test_accept_all_grants_every_optional_purpose(client, user):
    client.force_login(user)

    answer_banner(client, "accept_all")

    assert [granted for _purpose, granted, *_rest in recorded(user)] == [True, True]
    assert has_consent(request_or_user=user, purpose=ConsentPurpose.MARKETING)


def test_per_purpose_toggles_record_each_change_with_the_policy_version(client, user):
    client.force_login(user)

    client.post(reverse("privacy:settings"), {"analytics": "on"})
    client.post(reverse("privacy:settings"), {"analytics": "on", "marketing": "on"})
    client.post(reverse("privacy:settings"), {"marketing": "on"})

    assert recorded(user) == [
        ("analytics", True, "1.0", "settings"),
        ("marketing", False, "1.0", "settings"),
        ("marketing", True, "1.0", "settings"),
        ("analytics", False, "1.0", "settings"),
    ]
    assert not has_consent(request_or_user=user, purpose=ConsentPurpose.ANALYTICS)
    assert has_consent(request_or_user=user, purpose=ConsentPurpose.MARKETING)


def test_saving_the_same_choices_again_adds_nothing_to_the_history(client, user):
    client.force_login(user)
    client.post(reverse("privacy:settings"), {"analytics": "on"})

    client.post(reverse("privacy:settings"), {"analytics": "on"})

    assert len(recorded(user)) == 2


def test_the_member_sees_their_consent_history_newest_first(client, user):
    client.force_login(user)
    client.post(reverse("privacy:settings"), {"analytics": "on"})
    client.post(reverse("privacy:settings"), {})

    page = client.get(reverse("privacy:settings")).content.decode()

    history = page[page.index('id="history"') :]
    assert history.index("Withdrawn") < history.index("Granted")
    assert "Privacy settings page" in history
    assert "<td>1.0</td>" in history


def test_the_settings_page_shows_current_choices_as_ticked(client, user):
    ConsentRecordFactory(user=user, purpose=ConsentPurpose.MARKETING, granted=True)
    client.force_login(user)

    response = client.get(reverse("privacy:settings"))

    form = response.context["form"]
    assert form.initial == {"analytics": False, "marketing": True}


def test_a_new_policy_version_shows_the_banner_again(client, user, settings):
    client.force_login(user)
    answer_banner(client, "accept_all")
    assert BANNER not in client.get("/").content.decode()

    settings.PRIVACY_POLICY_VERSION = "2.0"

    assert BANNER in client.get("/").content.decode()
    # Consent given under the old version no longer counts.
    assert not has_consent(request_or_user=user, purpose=ConsentPurpose.ANALYTICS)

    answer_banner(client, "accept_all")

    assert BANNER not in client.get("/").content.decode()
    assert recorded(user)[-2:] == [
        ("analytics", True, "2.0", "banner"),
        ("marketing", True, "2.0", "banner"),
    ]
    assert has_consent(request_or_user=user, purpose=ConsentPurpose.ANALYTICS)


def test_a_new_policy_version_asks_visitors_again_too(client, settings):
    answer_banner(client, "accept_all")
    settings.PRIVACY_POLICY_VERSION = "2.0"

    assert BANNER in client.get("/").content.decode()


def test_a_visitors_choice_is_recorded_for_their_account_when_they_sign_in(client):
    member = UserFactory()
    answer_banner(client, "reject_optional")
    assert not ConsentRecord.objects.exists()

    client.post(reverse("account_login"), {"login": member.username, "password": DEFAULT_PASSWORD})

    assert int(client.session["_auth_user_id"]) == member.pk
    assert recorded(member) == [
        ("analytics", False, "1.0", "sign_in"),
        ("marketing", False, "1.0", "sign_in"),
    ]
    assert BANNER not in client.get("/").content.decode()


def test_a_newer_choice_on_the_account_wins_over_an_older_cookie(client):
    member = UserFactory()
    answer_banner(client, "accept_all")
    # Made after the cookie, on another device.
    ConsentRecordFactory(user=member, purpose=ConsentPurpose.ANALYTICS, granted=False)
    ConsentRecordFactory(user=member, purpose=ConsentPurpose.MARKETING, granted=False)

    client.post(reverse("account_login"), {"login": member.username, "password": DEFAULT_PASSWORD})

    assert ConsentRecord.objects.filter(user=member).count() == 2
    assert not has_consent(request_or_user=member, purpose=ConsentPurpose.ANALYTICS)


def test_consent_records_cannot_be_changed_afterwards(user):
    record = ConsentRecordFactory(user=user, granted=True)
    record.granted = False

    with pytest.raises(ValueError, match="append-only"):
        record.save()


def test_asking_about_an_unknown_purpose_is_a_programming_error(user):
    with pytest.raises(ValueError, match="Unknown consent purpose"):
        has_consent(request_or_user=user, purpose="advertising")
