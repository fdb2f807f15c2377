"""What the room hears when its stream changes: status changes and system notices.

Called by `lifecycle` inside the transaction that makes the change, so a notice is
numbered and broadcast only if the change commits.
"""

from django.conf import settings

from streams import events
from streams.models import Stream


def announce_status(*, stream: Stream, previous_status: str) -> None:
    if stream.status == previous_status:
        return
    events.append_room_event(
        stream_id=stream.pk, event_type=events.STREAM_STATUS, status=stream.status
    )
    notice = None
    params = {}
    if stream.status == Stream.Status.INTERRUPTED:
        notice = "stream_interrupted"
        params = {"seconds": settings.STREAM_RESUME_GRACE_SECONDS}
    elif stream.status == Stream.Status.LIVE and previous_status == Stream.Status.INTERRUPTED:
        notice = "stream_resumed"
    elif stream.status == Stream.Status.ENDED and previous_status != Stream.Status.SCHEDULED:
        notice = "stream_ended"
    if notice:
        events.append_room_event(
            stream_id=stream.pk, event_type=events.ROOM_NOTICE, code=notice, params=params
        )


def announce_title(*, stream: Stream, previous_title: str) -> None:
    if stream.title == previous_title:
        return
    events.append_room_event(
        stream_id=stream.pk, event_type=events.STREAM_UPDATED, title=stream.title
    )
    events.append_room_event(
        stream_id=stream.pk,
        event_type=events.ROOM_NOTICE,
        code="title_changed",
        params={"title": stream.title},
    )
