"""The stream page: player, viewer heartbeat, reminders and the VOD."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from economy.selectors import gifts as gift_selectors
from economy.selectors.ledger import get_wallet_summary
from economy.selectors.memberships import get_subscribe_box
from halobuzz.core.exceptions import ApplicationError
from halobuzz.core.htmx import is_htmx
from halobuzz.users.selectors import is_following
from streams import selectors
from streams.exceptions import StreamNotFound
from streams.models import Recording, Stream
from streams.services import media, reminders, viewers

# The quantities the gift panel offers (the API takes any up to GIFT_MAX_QUANTITY).
GIFT_QUANTITIES = (1, 5, 10, 99)
# The code media.delete_vod raises when someone other than the host tries.
NOT_STREAM_HOST = "not_stream_host"


def _get_stream_or_404(stream_id: int) -> Stream:
    try:
        return selectors.get_stream(stream_id=stream_id)
    except StreamNotFound as error:
        raise Http404(error.message) from error


def _viewer_identity(request) -> dict:
    """Who is watching: the account, or for visitors a key derived from their session
    (created on first use, so the same browser counts once)."""
    if request.user.is_authenticated:
        return {"viewer": request.user}
    if request.session.session_key is None:
        request.session.save()
    return {"anonymous_key": viewers.anonymous_viewer_key(request.session.session_key)}


def _clock(seconds: int) -> str:
    """A length as H:MM:SS (or M:SS under an hour), the way video players show it."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@require_safe
def watch(request, stream_id: int):
    stream = _get_stream_or_404(stream_id)
    recording = getattr(stream, "recording", None)
    vod = selectors.get_ready_vod(stream=stream)
    context = {
        "stream": stream,
        "profile_user": stream.host,
        "is_own_stream": request.user.is_authenticated and request.user.pk == stream.host_id,
        "is_following": is_following(follower=request.user, followee=stream.host),
        "has_reminder": (
            stream.status == Stream.Status.SCHEDULED
            and selectors.has_reminder(user=request.user, stream=stream)
        ),
        "share_url": request.build_absolute_uri(stream.get_absolute_url()),
        "vod": vod,
        "vod_length": _clock(vod.duration_seconds) if vod and vod.duration_seconds else "",
        "vod_preparing": recording is not None
        and recording.status in (Recording.Status.RECORDING, Recording.Status.PROCESSING),
        "heartbeat_seconds": settings.VIEWER_HEARTBEAT_SECONDS,
        "room_socket_url": f"/ws/streams/{stream.pk}/",
        "top_gifters": gift_selectors.list_stream_top_gifters(stream_id=stream.pk),
        "creator": stream.host,
        "subscribe_key": secrets.token_urlsafe(16),
        **get_subscribe_box(viewer=request.user, creator=stream.host),
    }
    if stream.is_active and request.user.is_authenticated:
        context["gifts"] = gift_selectors.list_available_gifts(user=request.user)
        context["gift_quantities"] = GIFT_QUANTITIES
        context["coin_balance"] = get_wallet_summary(user=request.user)["coins"]
    return render(request, "streams/watch.html", context)


@require_POST
def heartbeat(request, stream_id: int):
    """The watch page says "still here" every VIEWER_HEARTBEAT_SECONDS; the answer
    carries what the page shows (status, counts)."""
    stream = _get_stream_or_404(stream_id)
    viewers.record_viewer_heartbeat(stream=stream, **_viewer_identity(request))
    stream = viewers.refresh_viewer_counts(stream=stream)
    return JsonResponse(
        {
            "status": stream.status,
            "viewers": stream.current_viewers,
            "peak_viewers": stream.peak_viewers,
        }
    )


@require_POST
def leave(request, stream_id: int):
    """Sent with navigator.sendBeacon when the page goes away."""
    stream = _get_stream_or_404(stream_id)
    if request.user.is_authenticated or request.session.session_key:
        viewers.leave_stream(stream=stream, **_viewer_identity(request))
    return HttpResponse(status=204)


@login_required
@require_POST
def reminder(request, stream_id: int):
    stream = _get_stream_or_404(stream_id)
    wants_reminder = request.POST.get("action") != "cancel"
    error_message = ""
    try:
        if wants_reminder:
            reminders.set_reminder(user=request.user, stream=stream)
        else:
            reminders.cancel_reminder(user=request.user, stream=stream)
    except ApplicationError as error:
        error_message = error.message
    if is_htmx(request):
        context = {
            "stream": stream,
            "has_reminder": wants_reminder and not error_message,
            "reminder_error": error_message,
        }
        return render(request, "streams/_reminder_button.html", context)
    if error_message:
        messages.error(request, error_message)
    elif wants_reminder:
        messages.success(request, _("We will tell you when this stream goes live."))
    else:
        messages.info(request, _("Reminder removed."))
    return redirect(stream)


@login_required
@require_POST
def delete_video(request, stream_id: int):
    stream = _get_stream_or_404(stream_id)
    try:
        media.delete_vod(stream=stream, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        if error.code == NOT_STREAM_HOST:
            raise PermissionDenied(error.message) from error
        return redirect(stream)
    messages.success(request, _("The video is deleted."))
    return redirect(stream)
