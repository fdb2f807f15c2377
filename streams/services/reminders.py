"""Reminders for scheduled streams and the notifications sent when a stream goes live."""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from halobuzz.core.site_urls import absolute_url
from halobuzz.notifications.models import Notification
from halobuzz.notifications.services import notify_users
from halobuzz.users.models import User
from streams.exceptions import StreamNotEditable
from streams.models import Stream, StreamReminder


def set_reminder(*, user, stream: Stream) -> StreamReminder:
    """Ask to be told when a scheduled stream goes live; asking twice is a no-op."""
    if stream.status != Stream.Status.SCHEDULED:
        raise StreamNotEditable(
            _("Reminders can only be set for streams that have not started."),
            code="stream_not_scheduled",
        )
    try:
        with transaction.atomic():
            reminder, _created = StreamReminder.objects.get_or_create(user=user, stream=stream)
    except IntegrityError:
        reminder = StreamReminder.objects.get(user=user, stream=stream)
    return reminder


def cancel_reminder(*, user, stream: Stream) -> None:
    StreamReminder.objects.filter(user=user, stream=stream).delete()


def _email_reminder(*, user: User, stream: Stream, url: str) -> None:
    with translation.override(user.preferred_language or "en"):
        context = {"user": user, "stream": stream, "url": url}
        send_mail(
            subject=_("%(host)s is live: %(title)s")
            % {"host": stream.host.display_name or stream.host.username, "title": stream.title},
            message=render_to_string("streams/email/reminder.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )


def notify_stream_live(*, stream_id: int) -> int:
    """Tell reminder holders (in-app and by email) and followers (in-app) that a stream
    is live. Safe to run twice: each person is notified once. Returns how many were."""
    stream = Stream.objects.select_related("host").filter(pk=stream_id).first()
    if stream is None or stream.status != Stream.Status.LIVE:
        return 0
    host_name = stream.host.display_name or stream.host.username
    url = stream.get_absolute_url()
    dedupe_key = f"stream-live:{stream.pk}"

    reminders = list(
        StreamReminder.objects.select_related("user").filter(
            stream=stream, notified_at__isnull=True
        )
    )
    reminded = notify_users(
        recipients=[r.user for r in reminders if r.user.is_active],
        kind=Notification.Kind.STREAM_REMINDER,
        title=_("%(host)s is live now") % {"host": host_name},
        body=stream.title,
        url=url,
        dedupe_key=dedupe_key,
    )
    for reminder in reminders:
        # Mark first: a mail server error must not make a retry send a second email.
        updated = StreamReminder.objects.filter(pk=reminder.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if updated and reminder.user.is_active and reminder.user.email:
            _email_reminder(user=reminder.user, stream=stream, url=absolute_url(url))

    followers = User.objects.filter(following_links__followee=stream.host, is_active=True)
    followed = notify_users(
        recipients=followers,
        kind=Notification.Kind.STREAM_LIVE,
        title=_("%(host)s is live") % {"host": host_name},
        body=stream.title,
        url=url,
        dedupe_key=dedupe_key,
    )
    return len(reminded) + len(followed)
