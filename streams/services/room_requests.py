"""The requests queue: viewers ask (a song, a question), others upvote, the host works
through the ranked list."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from streams import events
from streams.exceptions import RoomError, RoomForbidden, RoomItemNotFound
from streams.models import RoomRequest, RoomRequestUpvote, Stream
from streams.models.room import REQUEST_MAX_LENGTH
from streams.selectors import room as room_selectors
from streams.services.chat import clean_body, ensure_can_take_part

OPEN_REQUESTS_PER_VIEWER = 3


def _open_stream(stream_id: int) -> Stream:
    stream = Stream.objects.select_related("host").filter(pk=stream_id).first()
    if stream is None:
        raise RoomItemNotFound(_("This stream does not exist."))
    if stream.status == Stream.Status.ENDED:
        raise RoomError(_("Chat is closed: this stream has ended."), code="chat_closed")
    return stream


def _announce(request: RoomRequest, event_type: str) -> None:
    events.append_room_event(
        stream_id=request.stream_id,
        event_type=event_type,
        request=events.request_payload(request),
    )


@transaction.atomic
def submit_request(*, author, stream_id: int, text) -> RoomRequest:
    stream = _open_stream(stream_id)
    ensure_can_take_part(user=author, stream=stream)
    text = clean_body(text or "")
    if not text or len(text) > REQUEST_MAX_LENGTH:
        raise RoomError(
            _("A request is 1 to %(limit)d characters.") % {"limit": REQUEST_MAX_LENGTH},
            code="invalid",
        )
    waiting = RoomRequest.objects.filter(
        stream=stream, author=author, status=RoomRequest.Status.OPEN
    ).count()
    if waiting >= OPEN_REQUESTS_PER_VIEWER:
        raise RoomError(
            _("You have %(count)d requests waiting. Wait for the host to get to them.")
            % {"count": waiting},
            code="too_many_requests",
        )
    request = RoomRequest.objects.create(stream=stream, author=author, text=text)
    _announce(request, events.REQUEST_ADDED)
    return request


@transaction.atomic
def upvote_request(*, voter, stream_id: int, request_id) -> RoomRequest:
    stream = _open_stream(stream_id)
    ensure_can_take_part(user=voter, stream=stream)
    request = _get_request(stream=stream, request_id=request_id)
    if request.status != RoomRequest.Status.OPEN:
        raise RoomError(_("This request is no longer open."), code="request_closed")
    if request.author_id == voter.pk:
        raise RoomError(_("You cannot upvote your own request."), code="own_request")
    try:
        with transaction.atomic():
            RoomRequestUpvote.objects.create(request=request, voter=voter)
    except IntegrityError as error:
        raise RoomError(
            _("You have already upvoted this request."), code="already_upvoted"
        ) from error
    RoomRequest.objects.filter(pk=request.pk).update(upvotes=F("upvotes") + 1)
    request.refresh_from_db(fields=["upvotes"])
    _announce(request, events.REQUEST_UPDATED)
    return request


@transaction.atomic
def resolve_request(*, actor, stream_id: int, request_id, status) -> RoomRequest:
    """The host or a moderator marks a request done or dismisses it."""
    stream = _open_stream(stream_id)
    if not room_selectors.can_moderate(room_selectors.get_room_roles(user=actor, stream=stream)):
        raise RoomForbidden()
    if status not in (RoomRequest.Status.DONE, RoomRequest.Status.DISMISSED):
        raise RoomError(_("Mark a request done or dismissed."), code="invalid")
    request = _get_request(stream=stream, request_id=request_id)
    if request.status != RoomRequest.Status.OPEN:
        raise RoomError(_("This request is no longer open."), code="request_closed")
    request.status = status
    request.resolved_at = timezone.now()
    request.resolved_by = actor
    request.save(update_fields=["status", "resolved_at", "resolved_by"])
    _announce(request, events.REQUEST_UPDATED)
    return request


def _get_request(*, stream: Stream, request_id) -> RoomRequest:
    try:
        return (
            RoomRequest.objects.select_for_update(of=("self",))
            .select_related("author")
            .get(pk=int(request_id), stream=stream)
        )
    except (RoomRequest.DoesNotExist, TypeError, ValueError) as error:
        raise RoomItemNotFound(_("That request is not in this room.")) from error
