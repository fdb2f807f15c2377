"""Data export: a member asks on the privacy page, a task builds a ZIP of their own
data (one JSON file per kind, nobody else's rows, no secrets), and an emailed link
lets only them download it, for seven days."""

import io
import json
import re
import time
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from halobuzz.notifications.services import notify_users
from tests.factories import FollowFactory, UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import ChatMessageFactory
from tests.trust.privacy.factories import (
    ConsentRecordFactory,
    DeletionRequestFactory,
    buy_coins,
    end_cool_off,
    send_gift_to,
)
from trust.privacy import exporters, tasks
from trust.privacy.exceptions import ExportTooSoon
from trust.privacy.models import DataExport
from trust.privacy.services import exports
from trust.privacy.storage import export_storage

pytestmark = pytest.mark.django_db

EXPECTED_FILES = {
    "profile.json",
    "follows.json",
    "consents.json",
    "notifications.json",
    "gifts_sent.json",
    "gifts_received.json",
    "wallet.json",
    "payments.json",
    "subscriptions.json",
    "payouts.json",
    "streams.json",
    "chat_messages.json",
    "stream_reminders.json",
    "manifest.json",
}


@pytest.fixture
def member():
    return UserFactory(username="maya", display_name="Maya R", bio="Sings on Sundays")


@pytest.fixture
def stranger():
    return UserFactory(username="stranger", display_name="Someone Else")


@pytest.fixture
def lives_of_both(member, stranger):
    """The member and a stranger each with a trail of activity on HaloBuzz."""
    creator = UserFactory(username="aasha", is_creator=True)
    FollowFactory(follower=member, followee=creator)
    FollowFactory(follower=stranger, followee=member)
    FollowFactory(follower=stranger, followee=creator)
    stream = LiveStreamFactory(host=creator, title="Acoustic night")
    ChatMessageFactory(stream=stream, author=member, body="hello from maya")
    ChatMessageFactory(stream=stream, author=stranger, body="a stranger's words")
    buy_coins(member)
    buy_coins(stranger)
    send_gift_to(member, stream, slug="rose")
    send_gift_to(stranger, stream, slug="trophy")
    member_stream = LiveStreamFactory(host=member, title="Maya live")
    send_gift_to(stranger, member_stream, slug="rose")
    ConsentRecordFactory(user=member, granted=True)
    ConsentRecordFactory(user=stranger, granted=False)
    notify_users(recipients=[member], kind="stream_live", title="aasha is live", dedupe_key="a")
    notify_users(recipients=[stranger], kind="stream_live", title="for stranger", dedupe_key="b")
    return {"creator": creator, "stream": stream}


def ask_for_export(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("privacy:request_export"))


def link_in(email) -> str:
    return re.search(r"https?://\S+", email.body).group(0).removeprefix(settings.SITE_URL)


def download(client, path: str) -> zipfile.ZipFile:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def test_the_export_holds_the_members_own_data_in_one_file_per_kind(
    client, member, stranger, lives_of_both, django_capture_on_commit_callbacks
):
    client.force_login(member)

    response = ask_for_export(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == [member.email]
    archive = download(client, link_in(email))
    assert set(archive.namelist()) >= EXPECTED_FILES

    profile = read(archive, "profile.json")
    assert (profile["username"], profile["display_name"], profile["bio"]) == (
        "maya",
        "Maya R",
        "Sings on Sundays",
    )
    assert profile["email_addresses"] == [
        {"email": member.email, "verified": True, "primary": True}
    ]
    follows = read(archive, "follows.json")
    assert [person["username"] for person in follows["following"]] == ["aasha"]
    assert [person["username"] for person in follows["followers"]] == ["stranger"]
    assert [m["body"] for m in read(archive, "chat_messages.json")] == ["hello from maya"]
    sent = read(archive, "gifts_sent.json")["gifts"]
    assert [(g["gift"], g["creator"], g["amount"]) for g in sent] == [("Rose", "aasha", 1)]
    received = read(archive, "gifts_received.json")["gifts"]
    assert [(g["gift"], g["sender"]) for g in received] == [("Rose", "stranger")]
    (payment,) = read(archive, "payments.json")
    assert (payment["status"], payment["coins"], payment["currency"]) == ("succeeded", 1100, "USD")
    assert read(archive, "wallet.json")["balances"]["coins"] == 1099
    assert [c["granted"] for c in read(archive, "consents.json")] == [True]
    assert [n["title"] for n in read(archive, "notifications.json")] == ["aasha is live"]
    assert [s["title"] for s in read(archive, "streams.json")] == ["Maya live"]

    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert "a stranger's words" not in everything
    assert "for stranger" not in everything
    assert "Trophy" not in everything


def test_the_export_leaves_out_passwords_and_secrets(
    client, member, lives_of_both, django_capture_on_commit_callbacks
):
    client.force_login(member)
    ask_for_export(client, django_capture_on_commit_callbacks)

    archive = download(client, link_in(mail.outbox[0]))

    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    member.refresh_from_db()
    assert member.password not in everything
    assert '"password"' not in everything
    assert '"is_superuser"' not in everything
    assert "provider_reference" not in everything


def test_verifications_are_exported_without_codes_or_document_images(
    client, member, django_capture_on_commit_callbacks
):
    verification_models = pytest.importorskip("trust.verification.models")
    phone = verification_models.Verification.objects.create(
        user=member,
        kind="phone",
        status="pending",
        subject="+9779812345678",
        evidence={"region": "NP"},
    )
    verification_models.PhoneCode.objects.create(
        verification=phone,
        code_hash="hash-that-must-not-leak",
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(minutes=10),
        attempts_left=5,
    )
    client.force_login(member)
    ask_for_export(client, django_capture_on_commit_callbacks)

    archive = download(client, link_in(mail.outbox[0]))

    (exported,) = read(archive, "verifications.json")
    assert (exported["layer"], exported["status"], exported["verified_value"]) == (
        "phone",
        "pending",
        "+9779812345678",
    )
    assert b"hash-that-must-not-leak" not in b"".join(
        archive.read(name) for name in archive.namelist()
    )


def test_the_security_log_is_exported_without_staff_members_addresses(
    member, stranger, django_capture_on_commit_callbacks
):
    audit_models = pytest.importorskip("trust.audit.models")
    audit_models.AuditEvent.objects.create(
        user=member, actor=member, kind="login", ip_address="203.0.113.5", user_agent="Firefox"
    )
    audit_models.AuditEvent.objects.create(
        user=member,
        actor=UserFactory(is_staff=True),
        kind="staff_action",
        ip_address="198.51.100.7",
    )
    audit_models.AuditEvent.objects.create(user=stranger, kind="login", ip_address="192.0.2.1")
    export = exports.request_data_export(user=member)
    exports.build_data_export(export_id=export.pk)

    with export_storage().open(DataExport.objects.get(pk=export.pk).file_name) as stored:
        archive = zipfile.ZipFile(stored)
        log = read(archive, "security_log.json")

    assert [(event["event"], event["ip_address"]) for event in log] == [
        ("login", "203.0.113.5"),
        ("staff_action", None),
    ]


def test_the_security_log_export_shows_where_another_members_event_came_from(member):
    """Only staff members' addresses are left out: an event recorded with another
    member as its actor (a failed sign-in, before they named no actor) keeps its own."""
    audit_models = pytest.importorskip("trust.audit.models")
    audit_models.AuditEvent.objects.create(
        user=member,
        actor=UserFactory(username="attacker"),
        kind="login_failed",
        ip_address="192.0.2.66",
        user_agent="curl/8.5.0",
    )
    audit_models.AuditEvent.objects.create(
        user=member,
        actor=UserFactory(is_staff=True),
        kind="phone_changed",
        ip_address="10.9.8.7",
    )

    log = exporters.registered_exporters()["security_log"](user=member)

    assert [(e["event"], e["by_staff"], e["ip_address"], e["browser"]) for e in log] == [
        ("login_failed", False, "192.0.2.66", "curl/8.5.0"),
        ("phone_changed", True, None, ""),
    ]


def test_the_zip_is_kept_in_private_storage_not_under_media(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    ask_for_export(client, django_capture_on_commit_callbacks)

    export = DataExport.objects.get(user=member)
    assert export.status == DataExport.Status.READY
    stored = settings.PRIVATE_MEDIA_ROOT / export.file_name
    assert stored.is_file()
    assert settings.MEDIA_ROOT not in stored.parents
    assert export.expires_at == export.completed_at + timedelta(days=7)


def test_another_member_cannot_use_the_link(
    client, member, stranger, django_capture_on_commit_callbacks
):
    client.force_login(member)
    ask_for_export(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])

    client.force_login(stranger)
    response = client.get(link)

    assert response.status_code == 404
    assert b"PK" not in response.content[:2]


def test_the_link_asks_a_signed_out_visitor_to_sign_in(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    ask_for_export(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    client.logout()

    response = client.get(link)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_link_older_than_seven_days_shows_a_clear_expired_page(client, member, monkeypatch):
    client.force_login(member)
    export = exports.request_data_export(user=member)
    exports.build_data_export(export_id=export.pk)
    eight_days_ago = time.time() - 8 * 24 * 60 * 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: eight_days_ago)
    old_link = exports.download_url(export)
    monkeypatch.undo()

    response = client.get(old_link)

    assert response.status_code == 410
    assert "This download link has expired" in response.content.decode()
    assert f'href="{reverse("privacy:settings")}#export"' in response.content.decode()


def test_expired_exports_are_purged_and_their_link_stops_working(client, member):
    client.force_login(member)
    export = exports.request_data_export(user=member)
    exports.build_data_export(export_id=export.pk)
    export.refresh_from_db()
    link = exports.download_url(export)

    purged = exports.purge_expired_exports(now=export.expires_at + timedelta(seconds=1))

    assert purged == 1
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED
    assert list((settings.PRIVATE_MEDIA_ROOT / "exports" / str(member.pk)).glob("*.zip")) == []
    assert client.get(link).status_code == 410


def test_one_export_at_a_time_and_at_most_one_a_day(client, member):
    client.force_login(member)
    client.post(reverse("privacy:request_export"))

    response = client.post(reverse("privacy:request_export"), follow=True)
    assert "already being prepared" in response.content.decode()

    export = DataExport.objects.get(user=member)
    exports.build_data_export(export_id=export.pk)
    response = client.post(reverse("privacy:request_export"), follow=True)
    assert "once every 24 hours" in response.content.decode()
    assert DataExport.objects.filter(user=member).count() == 1

    later = timezone.now() + timedelta(hours=24, seconds=1)
    assert exports.request_data_export(user=member, now=later).status == "pending"


def test_building_the_same_export_twice_does_the_work_once(member):
    export = exports.request_data_export(user=member)

    first = exports.build_data_export(export_id=export.pk)
    second = exports.build_data_export(export_id=export.pk)

    assert first.status == DataExport.Status.READY
    assert second is None
    assert len(list(export_storage().listdir(f"exports/{member.pk}")[1])) == 1


def test_a_failed_build_is_marked_and_the_member_may_ask_again(member, monkeypatch):
    def broken_exporter(*, user):
        raise RuntimeError("disk full")

    monkeypatch.setitem(exporters._EXPORTERS, "broken", broken_exporter)
    export = exports.request_data_export(user=member)

    with pytest.raises(RuntimeError):
        exports.build_data_export(export_id=export.pk)

    export.refresh_from_db()
    assert (export.status, export.failure) == (DataExport.Status.FAILED, "disk full")
    monkeypatch.delitem(exporters._EXPORTERS, "broken")
    assert exports.request_data_export(user=member).status == DataExport.Status.PENDING


def test_the_privacy_page_shows_progress_then_the_download(client, member):
    client.force_login(member)
    export = exports.request_data_export(user=member)

    preparing = client.get(reverse("privacy:settings")).content.decode()
    assert "Preparing your copy" in preparing
    assert f'hx-get="{reverse("privacy:export_status")}"' in preparing

    exports.build_data_export(export_id=export.pk)
    fragment = client.get(reverse("privacy:export_status")).content.decode()
    assert "Download ZIP" in fragment
    assert "hx-get" not in fragment


def test_too_soon_says_the_configured_interval(member, settings):
    settings.PRIVACY_EXPORT_MIN_INTERVAL_HOURS = 6
    export = exports.request_data_export(user=member)
    exports.build_data_export(export_id=export.pk)

    with pytest.raises(ExportTooSoon) as refused:
        exports.request_data_export(user=member)

    assert "once every 6 hours" in refused.value.message
    assert "once a day" not in refused.value.message


def test_a_build_taken_over_by_another_worker_discards_its_file(member, monkeypatch):
    """The first worker stalled past the stale window, a second one claimed the build:
    when the first one finishes after all, its result must not overwrite the claim."""
    export = exports.request_data_export(user=member)
    second_claim = timezone.now() + timedelta(hours=1)

    def taken_over_meanwhile(*, user):
        DataExport.objects.filter(pk=export.pk).update(started_at=second_claim)
        return {}

    monkeypatch.setitem(exporters._EXPORTERS, "slow", taken_over_meanwhile)

    assert exports.build_data_export(export_id=export.pk) is None

    export.refresh_from_db()
    assert (export.status, export.started_at, export.file_name) == (
        DataExport.Status.RUNNING,
        second_claim,
        "",
    )
    assert list((settings.PRIVATE_MEDIA_ROOT / "exports" / str(member.pk)).glob("*.zip")) == []
    assert mail.outbox == []


def test_a_build_whose_export_was_deleted_meanwhile_keeps_no_file(member, monkeypatch):
    export = exports.request_data_export(user=member)

    def account_erased_meanwhile(*, user):
        DataExport.objects.filter(pk=export.pk).delete()
        return {}

    monkeypatch.setitem(exporters._EXPORTERS, "slow", account_erased_meanwhile)

    assert exports.build_data_export(export_id=export.pk) is None
    assert list((settings.PRIVATE_MEDIA_ROOT / "exports" / str(member.pk)).glob("*.zip")) == []


def test_a_failure_after_the_file_is_saved_deletes_the_file(member, monkeypatch):
    def size_unreadable(self, name):
        raise OSError("stale file handle")

    monkeypatch.setattr(FileSystemStorage, "size", size_unreadable)
    export = exports.request_data_export(user=member)

    with pytest.raises(OSError, match="stale file handle"):
        exports.build_data_export(export_id=export.pk)

    export.refresh_from_db()
    assert (export.status, export.failure) == (DataExport.Status.FAILED, "stale file handle")
    assert list((settings.PRIVATE_MEDIA_ROOT / "exports" / str(member.pk)).glob("*.zip")) == []


def test_a_build_whose_worker_died_is_started_again_by_the_periodic_purge(
    member, django_capture_on_commit_callbacks
):
    export = exports.request_data_export(user=member)
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.RUNNING,
        started_at=timezone.now() - exports.STALE_BUILD_AFTER - timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        tasks.purge_expired_exports.delay()

    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    (email,) = mail.outbox
    assert "ready to download" in email.subject


def test_a_build_still_running_within_the_stale_window_is_left_alone(
    member, django_capture_on_commit_callbacks
):
    export = exports.request_data_export(user=member)
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.RUNNING, started_at=timezone.now() - timedelta(minutes=5)
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.purge_expired_exports.delay()

    assert callbacks == []
    export.refresh_from_db()
    assert export.status == DataExport.Status.RUNNING


def test_deleting_the_account_removes_the_members_whole_export_folder(
    member, stranger, django_capture_on_commit_callbacks
):
    export = exports.request_data_export(user=member)
    exports.build_data_export(export_id=export.pk)
    member_folder = settings.PRIVATE_MEDIA_ROOT / "exports" / str(member.pk)
    # A file no export row names: a build that crashed after saving it.
    (member_folder / "orphan-from-a-crashed-build.zip").write_bytes(b"PK")
    stranger_export = exports.request_data_export(user=stranger)
    exports.build_data_export(export_id=stranger_export.pk)
    end_cool_off(DeletionRequestFactory(user=member))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.anonymise_due_accounts.delay()

    assert not member_folder.exists()
    assert not DataExport.objects.filter(user=member).exists()
    stranger_export.refresh_from_db()
    assert (settings.PRIVATE_MEDIA_ROOT / stranger_export.file_name).is_file()


def test_emails_are_plain_text_without_html_escaping(member, django_capture_on_commit_callbacks):
    member.display_name = "Tom & Jerry's <Duo>"
    member.save(update_fields=["display_name"])

    with django_capture_on_commit_callbacks(execute=True):
        exports.request_data_export(user=member)

    (email,) = mail.outbox
    assert "Hi Tom & Jerry's <Duo>," in email.body
    assert "&amp;" not in email.body and "&#x27;" not in email.body
