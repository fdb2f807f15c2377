"""Account deletion: confirmed with the password, a 14-day cool-off that can be
cancelled, then a tombstone that keeps the ledger, payments and moderation records
whole while everything that identifies the member is gone."""

import os
from datetime import timedelta
from smtplib import SMTPException
from urllib.parse import parse_qsl

import pytest
import respx
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from economy.audit import audit_ledger
from economy.models import Account, CreatorSubscription, LedgerEntry, Payment
from halobuzz.users.mfa import current_totp_code, ensure_totp
from halobuzz.users.models import Follow, User
from streams.events import message_payload
from streams.models import ChatMessage, StreamKey
from streams.services.keys import get_or_create_stream_key
from tests.economy.ledger_helpers import coins, diamonds
from tests.economy.payments.support import recorded
from tests.factories import DEFAULT_PASSWORD, FollowFactory, UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import ChatMessageFactory
from tests.trust.privacy.factories import (
    ConsentRecordFactory,
    DeletionRequestFactory,
    buy_coins,
    end_cool_off,
    send_gift_to,
)
from tests.trust.verification.factories import last_text_code
from trust.audit.models import AuditEvent
from trust.models import ModerationAction
from trust.privacy import tasks
from trust.privacy.exceptions import DeletionUnderWay
from trust.privacy.models import ConsentRecord, DeletionRequest
from trust.privacy.services import deletion as deletion_services
from trust.verification import services as verification_services
from trust.verification.models import PhoneCode, Verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return UserFactory(username="leaving", display_name="Leaving Soon", bio="Bye")


def ask_to_delete(client, password=DEFAULT_PASSWORD, **kwargs):
    return client.post(reverse("privacy:delete_account"), {"password": password}, **kwargs)


def run_deletions(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.anonymise_due_accounts.delay()


def test_deleting_needs_the_current_password(client, member):
    client.force_login(member)

    response = ask_to_delete(client, password="not-my-password")

    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    assert not DeletionRequest.objects.exists()


def test_asking_schedules_deletion_in_14_days_and_emails_the_member(
    client, member, django_capture_on_commit_callbacks
):
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_to_delete(client)

    assert response.status_code == 302
    deletion = DeletionRequest.objects.get(user=member)
    assert deletion.status == DeletionRequest.Status.SCHEDULED
    expected = timezone.now() + timedelta(days=14)
    assert abs((deletion.scheduled_for - expected).total_seconds()) < 60
    (email,) = mail.outbox
    assert email.to == [member.email]
    assert "scheduled for deletion" in email.subject
    assert reverse("privacy:settings") in email.body


def test_password_guesses_on_the_deletion_form_are_limited_per_account(client, member):
    client.force_login(member)
    for _attempt in range(5):
        ask_to_delete(client, password="a-guess")

    response = ask_to_delete(client)  # even the right password waits now

    page = response.content.decode()
    assert response.status_code == 200
    assert "Too many tries to confirm with your password. Wait 3 minutes" in page
    assert not DeletionRequest.objects.exists()


def test_password_guesses_on_the_deletion_form_are_limited_per_address(client, member, monkeypatch):
    monkeypatch.setattr(deletion_services, "PASSWORD_ATTEMPTS_PER_ADDRESS", 2)
    client.force_login(UserFactory())
    for _attempt in range(2):
        ask_to_delete(client, password="a-guess", REMOTE_ADDR="198.51.100.9")
    client.force_login(member)

    from_same_address = ask_to_delete(client, REMOTE_ADDR="198.51.100.9")
    from_elsewhere = ask_to_delete(client, REMOTE_ADDR="192.0.2.10")

    assert "Too many tries" in from_same_address.content.decode()
    assert from_elsewhere.status_code == 302
    assert DeletionRequest.objects.filter(user=member).count() == 1


def test_with_two_factor_authentication_deleting_also_needs_a_fresh_code(
    client, member, django_capture_on_commit_callbacks
):
    secret = ensure_totp(user=member)
    client.force_login(member)
    form_page = client.get(reverse("privacy:delete_account")).content.decode()
    assert 'name="authenticator_code"' in form_page
    assert 'autocomplete="one-time-code"' in form_page

    without_code = ask_to_delete(client).content.decode()
    wrong_code = client.post(
        reverse("privacy:delete_account"),
        {"password": DEFAULT_PASSWORD, "authenticator_code": "000000"},
    ).content.decode()

    assert "enter the code your app shows now" in without_code
    assert "That authentication code is not right" in wrong_code
    assert not DeletionRequest.objects.exists()

    code = current_totp_code(secret)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy:delete_account"),
            {"password": DEFAULT_PASSWORD, "authenticator_code": code},
        )
    assert response.status_code == 302
    deletion_services.cancel_account_deletion(user=member)

    replayed = client.post(
        reverse("privacy:delete_account"),
        {"password": DEFAULT_PASSWORD, "authenticator_code": code},
    ).content.decode()
    assert "That authentication code is not right, or it was already used" in replayed
    assert DeletionRequest.objects.filter(status=DeletionRequest.Status.SCHEDULED).count() == 0


def test_a_mail_server_failure_does_not_undo_the_request(
    client, member, monkeypatch, django_capture_on_commit_callbacks
):
    def mail_server_down(**kwargs):
        raise SMTPException("421 try again later")

    monkeypatch.setattr("trust.privacy.mail.send_mail", mail_server_down)
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_to_delete(client)

    assert response.status_code == 302
    assert DeletionRequest.objects.get(user=member).status == DeletionRequest.Status.SCHEDULED
    assert mail.outbox == []


def test_the_scheduled_email_is_sent_by_a_task_after_the_commit(
    client, member, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.email_deletion_scheduled, "delay", queued.append)
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        ask_to_delete(client)

    deletion = DeletionRequest.objects.get(user=member)
    assert queued == [deletion.pk]
    assert mail.outbox == []  # nothing sent while the member waited for the page

    tasks.email_deletion_scheduled(deletion.pk)
    assert [email.to for email in mail.outbox] == [[member.email]]


def test_a_late_retry_of_the_email_sends_nothing_once_the_deletion_is_cancelled(member):
    deletion = DeletionRequestFactory(user=member)
    deletion_services.cancel_account_deletion(user=member)

    tasks.email_deletion_scheduled(deletion.pk)

    assert mail.outbox == []


def test_deletion_emails_are_plain_text_without_html_escaping(
    member, django_capture_on_commit_callbacks
):
    member.display_name = "Tom & Jerry's"
    member.save(update_fields=["display_name"])
    deletion = deletion_services.request_account_deletion(user=member, password=DEFAULT_PASSWORD)
    tasks.email_deletion_scheduled(deletion.pk)
    end_cool_off(deletion)

    run_deletions(django_capture_on_commit_callbacks)

    scheduled, farewell = mail.outbox
    assert scheduled.body.startswith("Hi Tom & Jerry's,")
    assert farewell.body.startswith("Hi Tom & Jerry's,")
    assert "“Deleted user”" in farewell.body
    assert "&amp;" not in scheduled.body + farewell.body
    assert "&#x27;" not in scheduled.body + farewell.body


def test_during_the_cool_off_the_account_works_and_every_page_offers_cancel(client, member):
    DeletionRequestFactory(user=member)
    client.force_login(member)

    page = client.get("/").content.decode()

    assert "Your account is scheduled for deletion" in page
    assert f'action="{reverse("privacy:cancel_deletion")}"' in page
    client.logout()
    client.post(reverse("account_login"), {"login": member.username, "password": DEFAULT_PASSWORD})
    assert int(client.session["_auth_user_id"]) == member.pk


def test_asking_twice_keeps_one_deletion(client, member):
    DeletionRequestFactory(user=member)
    client.force_login(member)

    ask_to_delete(client)

    assert DeletionRequest.objects.filter(user=member).count() == 1


def test_cancelling_is_recorded_and_the_account_is_never_deleted(
    client, member, django_capture_on_commit_callbacks
):
    deletion = DeletionRequestFactory(user=member)
    client.force_login(member)

    response = client.post(reverse("privacy:cancel_deletion"), {"next": "/"})

    assert response["Location"] == "/"
    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.CANCELLED
    assert deletion.cancelled_at is not None
    assert "scheduled for deletion" not in client.get("/").content.decode()
    end_cool_off(deletion)
    run_deletions(django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert (member.username, member.is_active) == ("leaving", True)


def test_nothing_is_deleted_before_the_cool_off_ends(member, django_capture_on_commit_callbacks):
    DeletionRequestFactory(user=member)

    run_deletions(django_capture_on_commit_callbacks)

    member.refresh_from_db()
    assert member.is_active
    assert member.username == "leaving"


def test_cancelling_after_the_cool_off_is_refused(member):
    end_cool_off(DeletionRequestFactory(user=member))

    with pytest.raises(DeletionUnderWay):
        deletion_services.cancel_account_deletion(user=member)


@pytest.fixture
def member_with_history(member):
    """A member who bought coins, sent and received gifts, chatted, was moderated,
    follows and is followed, and set up sign-in extras."""
    creator = UserFactory(is_creator=True)
    fan = UserFactory()
    FollowFactory(follower=member, followee=creator)
    FollowFactory(follower=fan, followee=member)
    stream = LiveStreamFactory(host=creator)
    buy_coins(member)
    buy_coins(fan)
    send_gift_to(member, stream, slug="trophy")
    own_stream = LiveStreamFactory(host=member)
    send_gift_to(fan, own_stream, slug="trophy")
    message = ChatMessageFactory(stream=stream, author=member, body="see you all")
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.TIMEOUT, actor=creator, target_user=member, reason="spam"
    )
    ConsentRecordFactory(user=member)
    member.avatar.save("avatar.webp", ContentFile(b"RIFF-not-really-webp"), save=True)
    ensure_totp(user=member)
    Token.objects.create(user=member)
    get_or_create_stream_key(creator=member)
    return {"message": message, "stream": stream, "own_stream": own_stream}


def test_after_the_cool_off_the_account_becomes_a_tombstone(
    client, member, member_with_history, django_capture_on_commit_callbacks
):
    client.force_login(member)
    avatar_path = member.avatar.path
    old_email = member.email
    coins_before, diamonds_before = coins(member), diamonds(member)
    entries_before = LedgerEntry.objects.count()
    end_cool_off(DeletionRequestFactory(user=member))

    run_deletions(django_capture_on_commit_callbacks)

    tombstone = User.objects.get(pk=member.pk)
    assert tombstone.username == f"deleted-{member.pk}"
    assert (tombstone.email, tombstone.display_name, tombstone.bio) == ("", "Deleted user", "")
    assert not tombstone.avatar
    assert not tombstone.has_usable_password()
    assert not tombstone.is_active
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not Authenticator.objects.filter(user=member).exists()
    assert not Token.objects.filter(user=member).exists()
    assert not StreamKey.objects.filter(creator=member).exists()
    assert not Follow.objects.filter(follower=member).exists()
    assert not Follow.objects.filter(followee=member).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    assert not os.path.exists(avatar_path)

    # Money and safety history stay, pointing at the tombstone.
    assert LedgerEntry.objects.count() == entries_before
    assert Account.objects.filter(owner=tombstone).count() == 2
    assert (coins(tombstone), diamonds(tombstone)) == (coins_before, diamonds_before)
    assert Payment.objects.filter(user=tombstone).count() == 1
    assert ModerationAction.objects.filter(target_user=tombstone).count() == 1
    assert ConsentRecord.objects.filter(user=tombstone).count() == 1
    report = audit_ledger()
    assert report.clean, report.as_text()

    # The chat message stays and shows the tombstone's name.
    message = ChatMessage.objects.select_related("author").get(pk=member_with_history["message"].pk)
    assert message_payload(message)["author"]["name"] == "Deleted user"

    deletion = DeletionRequest.objects.get(user=tombstone)
    assert deletion.status == DeletionRequest.Status.COMPLETED
    (farewell,) = [email for email in mail.outbox if "has been deleted" in email.subject]
    assert farewell.to == [old_email]


def test_the_deleted_account_cannot_sign_in(
    client, member, member_with_history, django_capture_on_commit_callbacks
):
    old_email = member.email
    end_cool_off(DeletionRequestFactory(user=member))
    run_deletions(django_capture_on_commit_callbacks)

    for login in ("leaving", old_email, f"deleted-{member.pk}"):
        client.post(reverse("account_login"), {"login": login, "password": DEFAULT_PASSWORD})
        assert "_auth_user_id" not in client.session


def test_running_the_deletion_task_twice_is_harmless(
    member, member_with_history, django_capture_on_commit_callbacks
):
    deletion = end_cool_off(DeletionRequestFactory(user=member))
    run_deletions(django_capture_on_commit_callbacks)
    entries = LedgerEntry.objects.count()
    emails = len(mail.outbox)

    run_deletions(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.anonymise_account.delay(deletion.pk)

    assert LedgerEntry.objects.count() == entries
    assert len(mail.outbox) == emails
    assert User.objects.get(pk=member.pk).username == f"deleted-{member.pk}"
    assert audit_ledger().clean


def test_the_hosts_live_stream_ends_when_the_account_is_deleted(
    member, member_with_history, django_capture_on_commit_callbacks
):
    end_cool_off(DeletionRequestFactory(user=member))

    run_deletions(django_capture_on_commit_callbacks)

    own_stream = member_with_history["own_stream"]
    own_stream.refresh_from_db()
    assert own_stream.status == "ended"


def test_identity_documents_are_deleted_with_the_account(
    member, django_capture_on_commit_callbacks
):
    verification_models = pytest.importorskip("trust.verification.models")
    verification = verification_models.Verification.objects.create(
        user=member, kind="identity", status="verified", decided_at=timezone.now()
    )
    documents = verification_models.IdentityDocuments(
        verification=verification, document_type="passport"
    )
    documents.front.save("front.jpg", ContentFile(b"jpeg bytes"), save=False)
    documents.selfie.save("selfie.jpg", ContentFile(b"jpeg bytes"), save=False)
    documents.save()
    front_path = documents.front.path
    end_cool_off(DeletionRequestFactory(user=member))

    run_deletions(django_capture_on_commit_callbacks)

    documents.refresh_from_db()
    assert documents.deleted_at is not None
    assert not documents.front and not documents.selfie
    assert not os.path.exists(front_path)
    assert verification_models.Verification.objects.filter(pk=verification.pk).exists()


# --- What deletion erases from verifications and the security log ------------------

NEPAL_MOBILE = "+9779841234567"
OTHER_MOBILE = "+9779851234567"


@pytest.fixture
def sms_dev(settings):
    """Phone codes go through the dev provider (test settings run with DEBUG off),
    with no wait between codes."""
    settings.SMS_PROVIDER = "dev"
    settings.SMS_DEV_PROVIDER_WITHOUT_DEBUG = True
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0


def verify_phone(user, number, django_capture_on_commit_callbacks):
    """`user` verifies `number` the way members do: a texted code, typed back."""
    with django_capture_on_commit_callbacks(execute=True):
        verification_services.start_phone_verification(user=user, raw_number=number)
    return verification_services.confirm_phone_verification(user=user, code=last_text_code(number))


@pytest.mark.usefixtures("sms_dev")
def test_deletion_erases_verified_values_and_frees_the_phone_number(
    member, django_capture_on_commit_callbacks
):
    verify_phone(member, NEPAL_MOBILE, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        verification_services.start_phone_verification(user=member, raw_number=OTHER_MOBILE)
    assert PhoneCode.objects.filter(verification__user=member).exists()
    end_cool_off(DeletionRequestFactory(user=member))

    run_deletions(django_capture_on_commit_callbacks)

    rows = Verification.objects.filter(user=member)
    assert rows.count() == 2  # what was verified, and when, stays
    assert set(rows.values_list("status", flat=True)) == {Verification.Status.EXPIRED}
    assert set(rows.values_list("subject", flat=True)) == {""}
    assert [row.evidence for row in rows] == [{}, {}]
    assert all(row.decided_at is not None for row in rows)
    assert not PhoneCode.objects.filter(verification__user=member).exists()

    newcomer = UserFactory(username="newcomer")
    verification = verify_phone(newcomer, NEPAL_MOBILE, django_capture_on_commit_callbacks)
    verification.refresh_from_db()
    assert (verification.status, verification.subject) == ("verified", NEPAL_MOBILE)


def test_deletion_keeps_security_events_without_address_browser_or_details(
    client, member, django_capture_on_commit_callbacks
):
    client.post(
        reverse("account_login"),
        {"login": member.username, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="203.0.113.44",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    )
    AuditEvent.objects.create(
        user=member,
        actor=member,
        kind=AuditEvent.Kind.EMAIL_ADDED,
        ip_address="203.0.113.44",
        user_agent="Firefox",
        details={"email": "second@example.com"},
    )
    kinds_before = sorted(AuditEvent.objects.filter(user=member).values_list("kind", flat=True))
    end_cool_off(DeletionRequestFactory(user=member))

    run_deletions(django_capture_on_commit_callbacks)

    events = AuditEvent.objects.filter(user=member)
    assert sorted(events.values_list("kind", flat=True)) == kinds_before
    assert {(e.ip_address, e.user_agent, str(e.details)) for e in events} == {(None, "", "{}")}
    assert "203.0.113.44" not in str(list(AuditEvent.objects.values()))


# --- Subscriptions that renew by themselves -------------------------------------------

STRIPE_API = "https://api.stripe.test"
FAN_SUBSCRIPTION_ID = "sub_1QfanLkdIwHu7ixToCreator"


@pytest.fixture
def stripe_api(settings):
    stripe = {"secret_key": "sk_test_123", "webhook_secret": "whsec_x", "api_base": STRIPE_API}
    settings.PAYMENT_PROVIDERS = {"dev": {}, "stripe": stripe}
    with respx.mock(base_url=STRIPE_API, assert_all_called=False) as router:
        yield router


@pytest.fixture
def fan_renewing_to_member(member):
    """A fan whose subscription to the member (a creator) Stripe renews every month."""
    member.is_creator = True
    member.save(update_fields=["is_creator"])
    now = timezone.now()
    return CreatorSubscription.objects.create(
        subscriber=UserFactory(username="loyal_fan"),
        creator=member,
        level=1,
        months=1,
        started_at=now,
        expires_at=now + timedelta(days=30),
        renewal_provider="stripe",
        renewal_reference=FAN_SUBSCRIPTION_ID,
    )


def test_fans_subscriptions_to_a_deleted_creator_stop_renewing_and_their_month_runs_out(
    member, fan_renewing_to_member, stripe_api, django_capture_on_commit_callbacks
):
    cancel = stripe_api.post(f"/v1/subscriptions/{FAN_SUBSCRIPTION_ID}").respond(
        200, json=recorded("stripe_subscription_cancel_at_period_end")
    )
    paid_until = fan_renewing_to_member.expires_at
    end_cool_off(DeletionRequestFactory(user=member))

    run_deletions(django_capture_on_commit_callbacks)

    assert cancel.called
    assert dict(parse_qsl(cancel.calls.last.request.content.decode())) == {
        "cancel_at_period_end": "true"
    }
    subscription = CreatorSubscription.objects.get(pk=fan_renewing_to_member.pk)
    assert subscription.renews_monthly is False
    assert subscription.expires_at == paid_until
    assert User.objects.get(pk=member.pk).username == f"deleted-{member.pk}"


def test_when_the_provider_does_not_answer_the_creators_deletion_waits_and_retries(
    member, fan_renewing_to_member, stripe_api, django_capture_on_commit_callbacks
):
    route = stripe_api.post(f"/v1/subscriptions/{FAN_SUBSCRIPTION_ID}")
    route.respond(503)
    deletion = end_cool_off(DeletionRequestFactory(user=member))

    run_deletions(django_capture_on_commit_callbacks)

    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.SCHEDULED
    assert User.objects.get(pk=member.pk).username == "leaving"
    assert CreatorSubscription.objects.get(pk=fan_renewing_to_member.pk).renews_monthly

    route.respond(200, json=recorded("stripe_subscription_cancel_at_period_end"))
    run_deletions(django_capture_on_commit_callbacks)

    deletion.refresh_from_db()
    assert deletion.status == DeletionRequest.Status.COMPLETED
    assert not CreatorSubscription.objects.get(pk=fan_renewing_to_member.pk).renews_monthly
