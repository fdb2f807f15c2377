"""A stream's life: scheduled -> live -> ended, with `interrupted` while ingest is lost.

An interrupted stream goes back to live when its publisher returns within
STREAM_RESUME_GRACE_SECONDS, else `expire_interrupted_streams` ends it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from streams.exceptions import AlreadyLive, DailyStreamLimitReached, StreamNotEditable
from streams.models import TITLE_MAX_LENGTH, Recording, Stream, StreamCategory
from streams.services import room_notices
from trust.services.public_text import public_text_problem

EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "language",
    "tags",
    "record",
    "scheduled_start",
)
MAX_TAGS = 10
MAX_TAG_LENGTH = 30
MAX_SCHEDULE_AHEAD = timedelta(days=60)


def normalize_tags(tags) -> list[str]:
    """Lower-case, strip '#', drop blanks and duplicates; accepts a list or "a, b c"."""
    if isinstance(tags, str):
        tags = tags.replace(",", " ").split()
    cleaned: list[str] = []
    for tag in tags or []:
        tag = str(tag).strip().lstrip("#").lower()
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise StreamNotEditable(
            _("Use at most %(count)d tags.") % {"count": MAX_TAGS}, code="too_many_tags"
        )
    if any(len(tag) > MAX_TAG_LENGTH for tag in cleaned):
        raise StreamNotEditable(
            _("Tags can be at most %(length)d characters.") % {"length": MAX_TAG_LENGTH},
            code="tag_too_long",
        )
    return cleaned


def _validate_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise StreamNotEditable(_("Give your stream a title."), code="title_required")
    if len(title) > TITLE_MAX_LENGTH:
        raise StreamNotEditable(
            _("Titles can be at most %(length)d characters (this one has %(count)d).")
            % {"length": TITLE_MAX_LENGTH, "count": len(title)},
            code="title_too_long",
            extra={"max_length": TITLE_MAX_LENGTH},
        )
    problem = public_text_problem(title)
    if problem is not None:
        raise StreamNotEditable(problem, code="title_inappropriate")
    return title


def _validate_schedule(scheduled_start: datetime | None) -> None:
    if scheduled_start is None:
        return
    now = timezone.now()
    if scheduled_start <= now:
        raise StreamNotEditable(_("Pick a start time in the future."), code="schedule_in_past")
    if scheduled_start > now + MAX_SCHEDULE_AHEAD:
        raise StreamNotEditable(
            _("Streams can be scheduled at most %(days)d days ahead.")
            % {"days": MAX_SCHEDULE_AHEAD.days},
            code="schedule_too_far",
        )


def _check_daily_limit(*, host) -> None:
    limit = settings.STREAMS_MAX_NEW_PER_DAY
    since = timezone.now() - timedelta(days=1)
    if Stream.objects.filter(host=host, created_at__gte=since).count() >= limit:
        raise DailyStreamLimitReached(limit)


@transaction.atomic
def create_stream(
    *,
    host,
    title: str,
    description: str = "",
    category: StreamCategory | None = None,
    language: str = "en",
    tags=(),
    record: bool = False,
    scheduled_start: datetime | None = None,
    ingest: str = Stream.Ingest.BROWSER,
) -> Stream:
    """A new stream in `scheduled` state, ready to go live (now or at `scheduled_start`).

    Raises DailyStreamLimitReached, StreamNotEditable (bad title, tags or time).
    """
    # Lock the host row so two tabs cannot both slip under the daily limit.
    get_user_model().objects.select_for_update().filter(pk=host.pk).first()
    _check_daily_limit(host=host)
    _validate_schedule(scheduled_start)
    stream = Stream(
        host=host,
        title=_validate_title(title),
        description=(description or "").strip(),
        category=category,
        language=language,
        tags=normalize_tags(tags),
        record=record,
        scheduled_start=scheduled_start,
        ingest=ingest,
    )
    stream.full_clean(exclude=["public_id", "host", "category"])
    stream.save()
    if not host.is_creator:
        get_user_model().objects.filter(pk=host.pk).update(is_creator=True)
        host.is_creator = True
    return stream


def _lock(stream: Stream) -> Stream:
    return Stream.objects.select_for_update().get(pk=stream.pk)


@transaction.atomic
def update_stream(*, stream: Stream, **changes) -> Stream:
    """Change title, description, category, language, tags, record or schedule.

    The schedule and the recording choice can change only before the stream starts.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_stream() got unexpected fields: {sorted(unknown)}")
    # Decide on the current row, not the caller's copy: a moderator may have ended it.
    stream = _lock(stream)
    if stream.status == Stream.Status.ENDED:
        raise StreamNotEditable(_("This stream has ended."), code="stream_ended")
    if stream.status != Stream.Status.SCHEDULED:
        for field in ("scheduled_start", "record"):
            if field in changes and changes[field] != getattr(stream, field):
                raise StreamNotEditable(
                    _("The schedule and recording can only change before going live."),
                    code="stream_already_started",
                )
    if "title" in changes:
        changes["title"] = _validate_title(changes["title"])
    if "tags" in changes:
        changes["tags"] = normalize_tags(changes["tags"])
    if "scheduled_start" in changes and changes["scheduled_start"] != stream.scheduled_start:
        _validate_schedule(changes["scheduled_start"])
    previous_title = stream.title
    for field, value in changes.items():
        setattr(stream, field, value)
    stream.full_clean(exclude=["public_id", "host", "category"])
    # Only the edited columns: viewer counts and status are written by others meanwhile.
    stream.save(update_fields=[*changes, "updated_at"])
    room_notices.announce_title(stream=stream, previous_title=previous_title)
    return stream


@transaction.atomic
def go_live(
    *, stream: Stream, ingest: str, ingest_key_hash: str = "", publisher_token: str = ""
) -> Stream:
    """Put a scheduled or interrupted stream on air.

    Raises AlreadyLive when the host has another live stream, StreamNotEditable
    when the stream has ended.
    """
    stream = _lock(stream)
    now = timezone.now()
    if stream.status == Stream.Status.ENDED:
        raise StreamNotEditable(_("This stream has ended; start a new one."), code="stream_ended")
    previous_status = stream.status
    was_scheduled = stream.status == Stream.Status.SCHEDULED
    stream.status = Stream.Status.LIVE
    stream.ingest = ingest
    stream.ingest_key_hash = ingest_key_hash
    stream.publisher_token = publisher_token
    stream.last_ingest_at = now
    stream.interrupted_at = None
    if was_scheduled:
        stream.started_at = now
    try:
        with transaction.atomic():
            stream.save()
    except IntegrityError as error:
        raise AlreadyLive() from error
    room_notices.announce_status(stream=stream, previous_status=previous_status)
    if was_scheduled:
        if stream.record:
            Recording.objects.get_or_create(stream=stream)
        from streams import tasks

        transaction.on_commit(lambda: tasks.notify_stream_live.delay(stream.pk))
    return stream


@transaction.atomic
def interrupt_stream(*, stream: Stream) -> Stream:
    """The publisher vanished without saying stop; wait for it to come back."""
    stream = _lock(stream)
    if stream.status != Stream.Status.LIVE:
        return stream
    stream.status = Stream.Status.INTERRUPTED
    stream.interrupted_at = timezone.now()
    stream.publisher_token = ""
    stream.save(update_fields=["status", "interrupted_at", "publisher_token", "updated_at"])
    room_notices.announce_status(stream=stream, previous_status=Stream.Status.LIVE)
    return stream


@transaction.atomic
def end_stream(*, stream: Stream, reason: str) -> Stream:
    """End the stream (idempotent): viewers are let go and a recording is queued for its VOD."""
    from streams import tasks
    from streams.services.polls import close_polls_of_stream
    from streams.services.viewers import close_viewer_sessions

    stream = _lock(stream)
    if stream.status == Stream.Status.ENDED:
        return stream
    previous_status = stream.status
    never_started = stream.status == Stream.Status.SCHEDULED
    stream.status = Stream.Status.ENDED
    stream.ended_at = timezone.now()
    stream.end_reason = Stream.EndReason.NEVER_STARTED if never_started else reason
    stream.publisher_token = ""
    stream.interrupted_at = None
    stream.current_viewers = 0
    stream.save()
    close_viewer_sessions(stream=stream, at=stream.ended_at)
    close_polls_of_stream(stream_id=stream.pk)
    room_notices.announce_status(stream=stream, previous_status=previous_status)
    recording = Recording.objects.filter(stream=stream, status=Recording.Status.RECORDING).first()
    if recording:
        recording.status = Recording.Status.PROCESSING
        recording.save(update_fields=["status"])
        # Give nginx-rtmp a moment to close the FLV and report it (on_record_done).
        transaction.on_commit(lambda: tasks.build_vod.apply_async(args=[stream.pk], countdown=5))
    return stream


def expire_interrupted_streams(*, now: datetime | None = None) -> int:
    """End streams interrupted for longer than the grace period. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.STREAM_RESUME_GRACE_SECONDS)
    expired = Stream.objects.filter(status=Stream.Status.INTERRUPTED, interrupted_at__lte=cutoff)
    count = 0
    for stream in expired:
        end_stream(stream=stream, reason=Stream.EndReason.INGEST_LOST)
        count += 1
    return count


def stop_own_stream(*, stream: Stream, actor) -> Stream:
    """The host ends (or cancels, if not started) their own stream. Raises StreamNotEditable."""
    if stream.host_id != actor.pk:
        raise StreamNotEditable(_("Only the host can end this stream."), code="not_stream_host")
    return end_stream(stream=stream, reason=Stream.EndReason.HOST)


def end_stream_as_moderator(*, stream: Stream) -> Stream:
    """End from the admin. A browser publisher stops at its next check-in; an RTMP
    publisher is refused at nginx-rtmp's next on_update (within RTMP_UPDATE_INTERVAL_SECONDS)."""
    return end_stream(stream=stream, reason=Stream.EndReason.MODERATOR)
