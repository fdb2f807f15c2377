"""Live video and the live room: streams hosted and chat messages written."""

from streams.models import ChatMessage, Stream, StreamReminder
from trust.privacy.exporters import exporter


@exporter("streams")
def export_streams(*, user) -> list[dict]:
    hosted = Stream.objects.filter(host=user).select_related("category").order_by("pk")
    return [
        {
            "id": stream.pk,
            "title": stream.title,
            "description": stream.description,
            "category": stream.category.slug if stream.category else None,
            "language": stream.language,
            "tags": stream.tags,
            "status": stream.status,
            "scheduled_start": stream.scheduled_start,
            "started_at": stream.started_at,
            "ended_at": stream.ended_at,
            "peak_viewers": stream.peak_viewers,
            "unique_viewers": stream.unique_viewers,
            "url": stream.get_absolute_url(),
        }
        for stream in hosted.iterator()
    ]


@exporter("chat_messages")
def export_chat_messages(*, user) -> list[dict]:
    messages = ChatMessage.objects.filter(author=user).select_related("stream").order_by("pk")
    return [
        {
            "id": message.pk,
            "stream": {"id": message.stream_id, "title": message.stream.title},
            "body": message.body,
            "status": message.status,
            "mentions": message.mentions,
            "created_at": message.created_at,
        }
        for message in messages.iterator()
    ]


@exporter("stream_reminders")
def export_stream_reminders(*, user) -> list[dict]:
    reminders = StreamReminder.objects.filter(user=user).select_related("stream").order_by("pk")
    return [
        {
            "stream": {"id": reminder.stream_id, "title": reminder.stream.title},
            "created_at": reminder.created_at,
            "notified_at": reminder.notified_at,
        }
        for reminder in reminders
    ]
