"""Polls in the live room: the host asks, viewers vote once, everyone sees the tally."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from streams import events
from streams.exceptions import RoomError, RoomForbidden, RoomItemNotFound
from streams.models import Poll, PollOption, PollVote, Stream
from streams.models.room import POLL_OPTION_MAX_LENGTH, POLL_QUESTION_MAX_LENGTH
from streams.services.chat import ensure_can_take_part

MIN_OPTIONS, MAX_OPTIONS = 2, 5
MIN_SECONDS, MAX_SECONDS = 30, 600


def _clean_poll_input(question, options, duration_seconds) -> tuple[str, list[str], int]:
    question = str(question or "").strip()
    if not question or len(question) > POLL_QUESTION_MAX_LENGTH:
        raise RoomError(
            _("Ask a question of 1 to %(limit)d characters.") % {"limit": POLL_QUESTION_MAX_LENGTH},
            code="invalid",
        )
    if not isinstance(options, list):
        raise RoomError(_("Give the poll 2 to 5 options."), code="invalid")
    options = [str(option).strip() for option in options if str(option).strip()]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise RoomError(_("Give the poll 2 to 5 options."), code="invalid")
    if any(len(option) > POLL_OPTION_MAX_LENGTH for option in options):
        raise RoomError(
            _("Each option can be at most %(limit)d characters.")
            % {"limit": POLL_OPTION_MAX_LENGTH},
            code="invalid",
        )
    if len({option.casefold() for option in options}) != len(options):
        raise RoomError(_("Each option must be different."), code="invalid")
    try:
        duration_seconds = int(duration_seconds)
    except (TypeError, ValueError) as error:
        raise RoomError(_("A poll runs from 30 seconds to 10 minutes."), code="invalid") from error
    if not MIN_SECONDS <= duration_seconds <= MAX_SECONDS:
        raise RoomError(_("A poll runs from 30 seconds to 10 minutes."), code="invalid")
    return question, options, duration_seconds


@transaction.atomic
def create_poll(*, actor, stream_id: int, question, options, duration_seconds) -> Poll:
    stream = Stream.objects.select_for_update().filter(pk=stream_id).first()
    if stream is None:
        raise RoomItemNotFound(_("This stream does not exist."))
    if actor.pk != stream.host_id:
        raise RoomForbidden(_("Only the host can start a poll."))
    if stream.status == Stream.Status.ENDED:
        raise RoomError(_("Chat is closed: this stream has ended."), code="chat_closed")
    question, options, duration_seconds = _clean_poll_input(question, options, duration_seconds)
    _close_due_polls(stream_id=stream.pk)
    now = timezone.now()
    try:
        with transaction.atomic():
            poll = Poll.objects.create(
                stream=stream,
                question=question,
                created_by=actor,
                duration_seconds=duration_seconds,
                opened_at=now,
                closes_at=now + timedelta(seconds=duration_seconds),
            )
    except IntegrityError as error:
        raise RoomError(
            _("A poll is already open. Close it before starting another."),
            code="poll_already_open",
        ) from error
    PollOption.objects.bulk_create(
        PollOption(poll=poll, position=position, text=text) for position, text in enumerate(options)
    )
    events.append_room_event(
        stream_id=stream.pk, event_type=events.POLL_OPENED, poll=events.poll_payload(poll)
    )
    from streams import tasks

    transaction.on_commit(
        lambda: tasks.close_poll.apply_async(args=[poll.pk], countdown=duration_seconds + 1)
    )
    return poll


@transaction.atomic
def vote_in_poll(*, voter, stream_id: int, poll_id, option_id) -> PollVote:
    stream = Stream.objects.filter(pk=stream_id).first()
    if stream is None:
        raise RoomItemNotFound(_("This stream does not exist."))
    ensure_can_take_part(user=voter, stream=stream)
    try:
        poll = Poll.objects.get(pk=int(poll_id), stream_id=stream_id)
        option = poll.options.get(pk=int(option_id))
    except (Poll.DoesNotExist, PollOption.DoesNotExist, TypeError, ValueError) as error:
        raise RoomItemNotFound(_("That poll option does not exist.")) from error
    if poll.status != Poll.Status.OPEN or poll.closes_at <= timezone.now():
        raise RoomError(_("This poll has closed."), code="poll_closed")
    try:
        with transaction.atomic():
            vote = PollVote.objects.create(poll=poll, option=option, voter=voter)
    except IntegrityError as error:
        raise RoomError(_("You have already voted in this poll."), code="already_voted") from error
    PollOption.objects.filter(pk=option.pk).update(votes=F("votes") + 1)
    Poll.objects.filter(pk=poll.pk).update(total_votes=F("total_votes") + 1)
    transaction.on_commit(lambda: _announce_results(poll_id=poll.pk, stream_id=stream_id))
    return vote


def _results_sent_key(poll_id: int) -> str:
    return f"poll-results-sent:{poll_id}"


def _results_pending_key(poll_id: int) -> str:
    return f"poll-results-pending:{poll_id}"


def _announce_results(*, poll_id: int, stream_id: int) -> None:
    """Send the tally at most once per ROOM_POLL_RESULTS_SECONDS: a vote when nothing
    was sent for a window (and no update is queued) sends at once and marks the
    window; any other vote leaves the update to the one task queued for a window
    later, so the last vote is never left out.

    While an update is queued no vote sends directly, even once the mark expired:
    the queued update would follow it within the window. The pending mark outlives
    its task's countdown, so a lost task holds direct updates back only briefly.
    """
    window = settings.ROOM_POLL_RESULTS_SECONDS
    if cache.get(_results_pending_key(poll_id)) is None and cache.add(
        _results_sent_key(poll_id), 1, timeout=window
    ):
        send_poll_results(poll_id=poll_id)
        return
    if cache.add(_results_pending_key(poll_id), 1, timeout=window * 3):
        from streams import tasks

        tasks.send_poll_results.apply_async(args=[poll_id], countdown=window)


def send_poll_results(*, poll_id: int) -> None:
    """Send the poll's current tally to the room (at once: callers do the throttling)."""
    poll = Poll.objects.filter(pk=poll_id).prefetch_related("options").first()
    if poll is None or poll.status != Poll.Status.OPEN:
        return
    # Mark the window before clearing the queued update, so a vote in between queues
    # the next update instead of sending right after this one.
    cache.set(_results_sent_key(poll_id), 1, timeout=settings.ROOM_POLL_RESULTS_SECONDS)
    cache.delete(_results_pending_key(poll_id))
    events.send_to_group(
        events.room_group(poll.stream_id),
        events.build_frame(
            events.POLL_RESULTS,
            poll_id=poll.pk,
            total_votes=poll.total_votes,
            options=[{"id": option.pk, "votes": option.votes} for option in poll.options.all()],
        ),
    )


@transaction.atomic
def close_poll(*, poll_id: int, actor=None, stream_id: int | None = None) -> Poll | None:
    """Close a poll and publish its final results. `actor` None: the poll's time is up
    (a task); closing an already closed poll does nothing. With `stream_id` (the room
    the request came from) a poll of another room is not found, even for its host."""
    polls = Poll.objects.select_for_update(of=("self",)).filter(pk=poll_id)
    if stream_id is not None:
        polls = polls.filter(stream_id=stream_id)
    poll = polls.select_related("stream").first()
    if poll is None:
        raise RoomItemNotFound(_("That poll does not exist."))
    if actor is not None and actor.pk != poll.stream.host_id:
        raise RoomForbidden(_("Only the host can close the poll."))
    if poll.status == Poll.Status.CLOSED:
        if actor is not None:
            raise RoomError(_("This poll has closed."), code="poll_closed")
        return poll
    if actor is None and poll.closes_at > timezone.now():
        return None
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    poll.refresh_from_db(fields=["total_votes"])
    events.append_room_event(
        stream_id=poll.stream_id, event_type=events.POLL_CLOSED, poll=events.poll_payload(poll)
    )
    return poll


def _close_due_polls(*, stream_id: int) -> None:
    for poll_id in Poll.objects.filter(
        stream_id=stream_id, status=Poll.Status.OPEN, closes_at__lte=timezone.now()
    ).values_list("pk", flat=True):
        close_poll(poll_id=poll_id)


def close_due_polls() -> int:
    """Beat sweep: close every poll whose time is up (the per-poll task may be lost)."""
    due = list(
        Poll.objects.filter(status=Poll.Status.OPEN, closes_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    for poll_id in due:
        close_poll(poll_id=poll_id)
    return len(due)


def close_polls_of_stream(*, stream_id: int) -> None:
    """The stream ended: close its open poll now (caller's transaction)."""
    for poll in Poll.objects.select_for_update().filter(stream_id=stream_id, status="open"):
        poll.status = Poll.Status.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at"])
        events.append_room_event(
            stream_id=stream_id, event_type=events.POLL_CLOSED, poll=events.poll_payload(poll)
        )
