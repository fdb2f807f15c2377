"""Staff read everyone's security log in the console and cannot change it; staff
changes to a member land in that member's log."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from tests.console import sign_in_to_the_console
from tests.factories import UserFactory
from tests.trust.audit.conftest import MEMBER_IP
from tests.trust.audit.factories import AuditEventFactory
from trust.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
CHANGELIST = reverse("admin:audit_auditevent_changelist")


@pytest.fixture
def operator(client):
    return sign_in_to_the_console(client, UserFactory(is_staff=True, is_superuser=True))


def test_staff_list_everyones_events_and_search_by_username_or_address(client, operator):
    AuditEventFactory(user=UserFactory(username="asha_sings"), ip_address="198.51.100.77")
    AuditEventFactory(user=UserFactory(username="bikash_plays"), ip_address="192.0.2.55")

    everything = client.get(CHANGELIST).content.decode()
    by_name = client.get(CHANGELIST, {"q": "asha_sings"}).content.decode()
    by_address = client.get(CHANGELIST, {"q": "192.0.2.55"}).content.decode()

    assert "asha_sings" in everything and "bikash_plays" in everything
    assert "198.51.100.77" in by_name and "192.0.2.55" not in by_name
    assert "bikash_plays" in by_address and "asha_sings" not in by_address


def test_staff_filter_by_kind(client, operator):
    AuditEventFactory(user=UserFactory(username="asha_sings"), kind=Kind.LOGIN_FAILED)
    AuditEventFactory(user=UserFactory(username="bikash_plays"), kind=Kind.PASSWORD_CHANGED)

    page = client.get(CHANGELIST, {"kind__exact": Kind.LOGIN_FAILED}).content.decode()

    assert "asha_sings" in page and "bikash_plays" not in page


def test_nobody_can_add_edit_or_delete_events(client, operator):
    event = AuditEventFactory(ip_address="198.51.100.77")
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])

    detail = client.get(change_url)
    assert detail.status_code == 200
    assert "198.51.100.77" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert client.post(change_url, {"ip_address": "10.0.0.1"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )

    event.refresh_from_db()
    assert event.ip_address == "198.51.100.77"


def test_the_model_itself_refuses_edits():
    event = AuditEventFactory()
    event.ip_address = "10.0.0.1"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_a_staff_change_to_a_member_records_a_staff_action(client, operator):
    member = UserFactory()
    client.defaults.update(REMOTE_ADDR=MEMBER_IP)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[member.pk]),
        {"password1": "set-by-support-77", "password2": "set-by-support-77"},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(user=member, kind=Kind.STAFF_ACTION)
    assert event.actor == operator
    assert event.ip_address == MEMBER_IP  # the staff member's address, for the console
    # Which fields changed, never their values.
    assert event.details == {
        "action": "changed",
        "changes": [{"changed": {"fields": ["password"]}}],
    }
    assert "set-by-support-77" not in str(event.details)
    member.refresh_from_db()  # the new password: the old one's sessions are over
    member_client = Client()
    member_client.force_login(member)
    page = member_client.get(reverse("audit:security-log")).content.decode()
    assert "Changed by HaloBuzz staff" in page and "Changed password." in page
    assert MEMBER_IP not in page


def test_staff_changes_to_other_records_record_nothing_in_member_logs(client, operator):
    client.post(reverse("admin:trust_blockedterm_add"), {"term": "scamlink"})

    assert LogEntry.objects.filter(content_type__model="blockedterm").exists()
    assert not AuditEvent.objects.filter(kind=Kind.STAFF_ACTION).exists()
