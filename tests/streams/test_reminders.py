"""Reminders for scheduled streams, and who hears about it when a stream goes live."""

from datetime import timedelta

import pytest
from django.utils import timezone

from halobuzz.notifications.models import Notification
from halobuzz.users.services import follow_user
from streams.exceptions import StreamNotEditable
from streams.models import Stream, StreamReminder
from streams.services import reminders
from streams.services.lifecycle import create_stream, go_live
from streams.services.reminders import cancel_reminder, notify_stream_live, set_reminder
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(creator) -> Stream:
    return create_stream(
        host=creator, title="Tihar special", scheduled_start=timezone.now() + timedelta(days=2)
    )


def go_live_quietly(stream: Stream, django_capture_on_commit_callbacks) -> Stream:
    """Go live without running the on-commit notification, so a test can run it itself."""
    with django_capture_on_commit_callbacks(execute=False):
        return go_live(stream=stream, ingest=Stream.Ingest.BROWSER, publisher_token="t")


def test_a_viewer_can_ask_to_be_reminded_of_a_scheduled_stream(scheduled, user):
    reminder = set_reminder(user=user, stream=scheduled)

    assert reminder.user == user and reminder.stream == scheduled
    assert reminder.notified_at is None


def test_asking_twice_keeps_one_reminder(scheduled, user):
    first = set_reminder(user=user, stream=scheduled)
    second = set_reminder(user=user, stream=scheduled)

    assert first.pk == second.pk
    assert StreamReminder.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("factory", [LiveStreamFactory, EndedStreamFactory], ids=["live", "ended"])
def test_reminders_are_only_for_streams_that_have_not_started(user, factory):
    with pytest.raises(StreamNotEditable) as refused:
        set_reminder(user=user, stream=factory())

    assert refused.value.code == "stream_not_scheduled"
    assert not StreamReminder.objects.exists()


def test_a_reminder_can_be_cancelled(scheduled, user):
    set_reminder(user=user, stream=scheduled)

    cancel_reminder(user=user, stream=scheduled)
    cancel_reminder(user=user, stream=scheduled)  # cancelling again is harmless

    assert not StreamReminder.objects.exists()


def test_going_live_tells_reminder_holders_and_followers_once(
    scheduled, creator, mailoutbox, django_capture_on_commit_callbacks
):
    reminded = UserFactory(preferred_language="en")
    follower = UserFactory()
    both = UserFactory()
    set_reminder(user=reminded, stream=scheduled)
    set_reminder(user=both, stream=scheduled)
    follow_user(follower=follower, followee=creator)
    follow_user(follower=both, followee=creator)
    go_live_quietly(scheduled, django_capture_on_commit_callbacks)

    assert notify_stream_live(stream_id=scheduled.pk) == 3

    kinds = dict(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == {
        reminded.username: Notification.Kind.STREAM_REMINDER,
        both.username: Notification.Kind.STREAM_REMINDER,
        follower.username: Notification.Kind.STREAM_LIVE,
    }
    notification = Notification.objects.get(recipient=follower)
    assert notification.body == "Tihar special"
    assert notification.url == scheduled.get_absolute_url()
    assert sorted(email.to[0] for email in mailoutbox) == sorted([reminded.email, both.email])
    email = next(email for email in mailoutbox if email.to == [reminded.email])
    assert "Tihar special" in email.subject
    assert scheduled.get_absolute_url() in email.body
    assert not StreamReminder.objects.filter(notified_at__isnull=True).exists()


def test_notifying_twice_notifies_nobody_twice(
    scheduled, creator, mailoutbox, django_capture_on_commit_callbacks
):
    reminded = UserFactory()
    set_reminder(user=reminded, stream=scheduled)
    follow_user(follower=UserFactory(), followee=creator)
    go_live_quietly(scheduled, django_capture_on_commit_callbacks)

    assert notify_stream_live(stream_id=scheduled.pk) == 2
    assert notify_stream_live(stream_id=scheduled.pk) == 0

    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [reminded.email]


def test_the_go_live_task_runs_after_commit_and_notifies(
    scheduled, creator, mailoutbox, django_capture_on_commit_callbacks
):
    reminded = UserFactory()
    set_reminder(user=reminded, stream=scheduled)

    with django_capture_on_commit_callbacks(execute=True):
        go_live(stream=scheduled, ingest=Stream.Ingest.BROWSER, publisher_token="t")

    assert Notification.objects.filter(recipient=reminded).exists()
    assert len(mailoutbox) == 1


def test_inactive_members_are_not_notified(
    scheduled, creator, mailoutbox, django_capture_on_commit_callbacks
):
    gone_reminded = UserFactory(is_active=False)
    gone_follower = UserFactory(is_active=False)
    set_reminder(user=gone_reminded, stream=scheduled)
    follow_user(follower=gone_follower, followee=creator)
    go_live_quietly(scheduled, django_capture_on_commit_callbacks)

    assert notify_stream_live(stream_id=scheduled.pk) == 0

    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_a_reminder_holder_without_an_email_address_is_notified_in_the_app(
    scheduled, mailoutbox, django_capture_on_commit_callbacks
):
    no_email = UserFactory(email="")
    set_reminder(user=no_email, stream=scheduled)
    go_live_quietly(scheduled, django_capture_on_commit_callbacks)

    assert notify_stream_live(stream_id=scheduled.pk) == 1

    assert Notification.objects.filter(recipient=no_email).exists()
    assert mailoutbox == []


@pytest.mark.parametrize("state", ["scheduled", "ended", "missing"])
def test_nobody_is_notified_about_a_stream_that_is_not_live(scheduled, creator, mailoutbox, state):
    set_reminder(user=UserFactory(), stream=scheduled)
    follow_user(follower=UserFactory(), followee=creator)
    stream_id = {"scheduled": scheduled.pk, "ended": EndedStreamFactory(host=creator).pk}.get(
        state, 987654
    )

    assert notify_stream_live(stream_id=stream_id) == 0

    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_after_a_mail_error_a_rerun_still_emails_the_remaining_reminder_holders(
    scheduled, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    holders = [UserFactory(), UserFactory()]
    for holder in holders:
        set_reminder(user=holder, stream=scheduled)
    go_live_quietly(scheduled, django_capture_on_commit_callbacks)
    real_send_mail = reminders.send_mail
    bounced = []

    def send_mail_failing_once(**message):
        if not bounced:
            bounced.extend(message["recipient_list"])
            raise ConnectionRefusedError("mail server down")
        return real_send_mail(**message)

    monkeypatch.setattr(reminders, "send_mail", send_mail_failing_once)
    with pytest.raises(ConnectionRefusedError):
        notify_stream_live(stream_id=scheduled.pk)

    notify_stream_live(stream_id=scheduled.pk)  # the task is retried

    waiting = next(holder.email for holder in holders if holder.email not in bounced)
    assert [email.to for email in mailoutbox] == [[waiting]]
