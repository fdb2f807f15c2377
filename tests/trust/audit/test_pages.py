"""The member's security log page at /account/security-log/."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.trust.audit.factories import AuditEventFactory
from trust.audit.models import AuditEvent
from trust.audit.views import EVENTS_PER_PAGE

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
SECURITY_LOG = reverse("audit:security-log")


def signed_in(client, member):
    """`member`, signed in, with an empty log (signing in is itself logged)."""
    client.force_login(member)
    AuditEvent.objects.filter(user=member).delete()
    return member


def page_for(client, member, **params) -> str:
    response = client.get(SECURITY_LOG, params)
    assert response.status_code == 200
    return response.content.decode()


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(SECURITY_LOG)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_shows_when_what_and_from_where_newest_first(client):
    member = signed_in(client, UserFactory())
    now = timezone.now()
    AuditEventFactory(user=member, ip_address="198.51.100.20", created_at=now - timedelta(days=2))
    AuditEventFactory(
        user=member,
        kind=Kind.PASSWORD_CHANGED,
        ip_address="198.51.100.21",
        created_at=now - timedelta(hours=1),
    )

    page = page_for(client, member)

    assert page.index("Password changed") < page.index("Signed in")
    assert "IP 198.51.100.21" in page and "IP 198.51.100.20" in page
    assert "Chrome on Android" in page
    assert page.count('data-event="') == 2


def test_the_page_says_what_to_do_if_it_was_not_them(client):
    page = page_for(client, signed_in(client, UserFactory()))
    assert "If something here wasn" in page
    assert f'href="{reverse("account_change_password")}"' in page


def test_failed_sign_ins_and_email_changes_say_what_happened(client):
    member = signed_in(client, UserFactory())
    AuditEventFactory(user=member, kind=Kind.LOGIN_FAILED, actor=None, details={"step": "password"})
    AuditEventFactory(
        user=member,
        kind=Kind.EMAIL_CHANGED,
        details={"from": "old@example.com", "to": "new@example.com"},
    )

    page = page_for(client, member)

    assert "Failed sign-in" in page and "Wrong password." in page
    assert "From old@example.com to new@example.com" in page


def test_members_see_only_their_own_events(client):
    member, someone_else = signed_in(client, UserFactory()), UserFactory()
    AuditEventFactory(user=member, ip_address="198.51.100.30")
    AuditEventFactory(user=someone_else, ip_address="192.0.2.99", details={"email": "x@y.z"})

    page = page_for(client, member)

    assert "198.51.100.30" in page
    assert "192.0.2.99" not in page and "x@y.z" not in page


def test_no_parameter_shows_someone_elses_log(client):
    member, someone_else = signed_in(client, UserFactory()), UserFactory()
    AuditEventFactory(user=someone_else, ip_address="192.0.2.99")

    page = page_for(client, member, user=someone_else.pk, user_id=someone_else.pk)

    assert "192.0.2.99" not in page


def test_a_staff_change_shows_staff_but_not_their_address_or_browser(client):
    member = signed_in(client, UserFactory())
    AuditEventFactory(
        user=member,
        kind=Kind.STAFF_ACTION,
        actor=UserFactory(is_staff=True, username="moderator_mina"),
        ip_address="10.9.8.7",
        details={"action": "changed", "changes": [{"changed": {"fields": ["Email address"]}}]},
    )

    page = page_for(client, member)

    assert "By HaloBuzz staff" in page
    assert "Changed Email address." in page
    assert "10.9.8.7" not in page and "moderator_mina" not in page


def test_an_event_by_another_member_shows_its_address_not_staff(client):
    """Before failed sign-ins named no actor, an attacker signed in to their own
    account was recorded as the actor: such an event shows where it came from."""
    member = signed_in(client, UserFactory())
    AuditEventFactory(
        user=member,
        kind=Kind.LOGIN_FAILED,
        actor=UserFactory(username="attacker"),
        ip_address="192.0.2.66",
        details={"step": "password"},
    )

    page = page_for(client, member)

    assert "By HaloBuzz staff" not in page
    assert "IP 192.0.2.66" in page
    assert "Chrome on Android" in page


def test_any_event_by_a_staff_member_hides_their_address(client):
    member = signed_in(client, UserFactory())
    AuditEventFactory(
        user=member,
        kind=Kind.PHONE_CHANGED,
        actor=UserFactory(is_staff=True),
        ip_address="10.9.8.7",
    )

    page = page_for(client, member)

    assert "By HaloBuzz staff" in page
    assert "10.9.8.7" not in page


def test_the_log_is_paginated(client):
    member = signed_in(client, UserFactory())
    now = timezone.now()
    for minutes in range(EVENTS_PER_PAGE + 1):
        AuditEventFactory(user=member, created_at=now - timedelta(minutes=minutes))
    oldest = AuditEvent.objects.filter(user=member).order_by("created_at").first()

    first_page = page_for(client, member)
    second_page = page_for(client, member, page=2)

    assert first_page.count('data-event="') == EVENTS_PER_PAGE
    assert "Page 1 of 2" in first_page
    assert second_page.count('data-event="') == 1
    assert str(oldest.ip_address) in second_page


def test_the_page_costs_the_same_queries_for_many_events(client):
    member = signed_in(client, UserFactory())
    AuditEventFactory.create_batch(2, user=member)
    client.get(SECURITY_LOG)  # warm the per-process caches (site, content types)

    with CaptureQueriesContext(connection) as two_events:
        client.get(SECURITY_LOG)
    AuditEventFactory.create_batch(20, user=member, actor=UserFactory(is_staff=True))
    with CaptureQueriesContext(connection) as twenty_two_events:
        client.get(SECURITY_LOG)

    assert len(twenty_two_events) == len(two_events)
    log_queries = [
        query for query in twenty_two_events.captured_queries if "audit_auditevent" in query["sql"]
    ]
    assert len(log_queries) == 2  # the count for the pages, then one page of events


def test_an_empty_log_says_what_will_appear(client):
    page = page_for(client, signed_in(client, UserFactory()))
    assert "Nothing here yet" in page
    assert 'href="/accounts/2fa/"' in page


def test_the_account_menu_and_settings_link_to_the_log(client):
    signed_in(client, UserFactory())
    home = client.get(reverse("home")).content.decode()
    settings_page = client.get(reverse("account_email")).content.decode()
    assert f'href="{SECURITY_LOG}"' in home
    assert f'href="{SECURITY_LOG}"' in settings_page
