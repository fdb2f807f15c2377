"""The email layer follows allauth: confirming, changing or removing an address keeps
the member's email verification in step."""

import pytest
from allauth.account import signals
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from trust.verification import services
from trust.verification.models import Verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    """Signed up, has not clicked the confirmation link yet."""
    user = UserFactory(username="newcomer")
    EmailAddress.objects.filter(user=user).update(verified=False)
    return user


def email_rows(user) -> list[tuple[str, str]]:
    return list(
        Verification.objects.filter(user=user, kind="email")
        .order_by("pk")
        .values_list("subject", "status")
    )


def test_confirming_the_address_through_allauth_verifies_the_email_layer(client, newcomer):
    address = EmailAddress.objects.get(user=newcomer)
    key = EmailConfirmationHMAC(address).key

    response = client.post(reverse("account_confirm_email", args=[key]))

    assert response.status_code == 302
    assert email_rows(newcomer) == [("newcomer@example.com", "verified")]


def test_an_unverified_address_gives_no_email_layer(newcomer):
    assert services.sync_email_verification(user=newcomer) is None
    assert email_rows(newcomer) == []


def test_syncing_twice_writes_once(member):
    first = services.sync_email_verification(user=member)
    second = services.sync_email_verification(user=member)

    assert first.pk == second.pk
    assert email_rows(member) == [("asha@example.com", "verified")]


def test_a_new_primary_address_replaces_the_old_one(member):
    services.sync_email_verification(user=member)
    old = EmailAddress.objects.get(user=member)
    new = EmailAddress.objects.create(
        user=member, email="asha.new@example.com", verified=True, primary=False
    )
    new.set_as_primary()

    signals.email_changed.send(
        sender=EmailAddress, request=None, user=member, from_email_address=old, to_email_address=new
    )

    assert email_rows(member) == [
        ("asha@example.com", "expired"),
        ("asha.new@example.com", "verified"),
    ]


def test_removing_the_last_verified_address_ends_the_layer(member):
    services.sync_email_verification(user=member)
    address = EmailAddress.objects.get(user=member)
    address.delete()

    signals.email_removed.send(
        sender=EmailAddress, request=None, user=member, email_address=address
    )

    assert email_rows(member) == [("asha@example.com", "expired")]


def test_the_page_catches_up_with_addresses_verified_before_it_existed(client):
    # UserFactory writes a verified EmailAddress directly: no signal was sent.
    user = UserFactory()
    assert email_rows(user) == []
    client.force_login(user)

    client.get(reverse("verification:overview"))

    assert email_rows(user) == [(user.email, "verified")]


@pytest.fixture
def locks(monkeypatch) -> list:
    """The models of every queryset asked to lock its rows (SQLite drops the SQL)."""
    models = []
    original = QuerySet.select_for_update

    def recording(self, *args, **kwargs):
        models.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", recording)
    return models


def test_viewing_the_page_when_in_step_locks_and_writes_nothing(
    client, member, locks, django_capture_on_commit_callbacks
):
    client.force_login(member)
    client.get(reverse("verification:overview"))  # records the verified address
    locks.clear()

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        assert client.get(reverse("verification:overview")).status_code == 200

    assert Verification not in locks
    assert callbacks == []  # no trust recompute queued
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "verification_" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_a_member_without_a_verified_address_queues_nothing_on_each_visit(
    newcomer, locks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.sync_email_verification(user=newcomer) is None

    assert callbacks == []
    assert Verification not in locks


def test_a_change_takes_the_lock_and_queues_the_trust_recompute(
    member, locks, django_capture_on_commit_callbacks
):
    services.sync_email_verification(user=member)
    EmailAddress.objects.filter(user=member).update(email="asha.new@example.com")

    with django_capture_on_commit_callbacks() as callbacks:
        services.sync_email_verification(user=member)

    assert Verification in locks
    assert len(callbacks) == 1
    assert email_rows(member) == [
        ("asha@example.com", "expired"),
        ("asha.new@example.com", "verified"),
    ]
