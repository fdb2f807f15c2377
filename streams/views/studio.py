"""Go Live: the browser camera studio, OBS settings and the stream key, scheduling."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from halobuzz.core.exceptions import ApplicationError
from streams import selectors
from streams.exceptions import StreamNotFound
from streams.forms import ScheduleStreamForm, StreamDetailsForm
from streams.models import Stream
from streams.services import keys, lifecycle

# Status lines the studio's script shows, translated here so the script stays static.
STUDIO_MESSAGES = {
    "camera_denied": gettext_lazy(
        "HaloBuzz cannot use your camera. Allow camera and microphone access in your browser."
    ),
    "preparing": gettext_lazy("Getting your stream ready…"),
    "connecting": gettext_lazy("Connected. Your video is starting…"),
    "live": gettext_lazy("You are live."),
    "reconnecting": gettext_lazy("Connection lost. Reconnecting…"),
    "lost": gettext_lazy("The connection could not be restored; your stream has ended."),
    "ending": gettext_lazy("Ending your stream…"),
    "ended": gettext_lazy("Your stream has ended."),
    "failed": gettext_lazy("Something went wrong. Try again."),
}


def _studio_context(request, **forms) -> dict:
    user = request.user
    stream_key = keys.get_or_create_stream_key(creator=user)
    current = selectors.get_publishable_stream_for_host(host=user)
    initial = {"language": (user.preferred_language or "en")[:2]}
    if current is not None:
        initial = {
            "title": current.title,
            "category": current.category_id,
            "language": current.language,
            "tags": " ".join(current.tags),
            "description": current.description,
            "record": current.record,
        }
    return {
        "current_stream": current,
        "go_live_form": forms.get("go_live_form") or StreamDetailsForm(initial=initial),
        "obs_form": forms.get("obs_form") or StreamDetailsForm(initial=initial, prefix="obs"),
        "schedule_form": forms.get("schedule_form") or ScheduleStreamForm(prefix="schedule"),
        "stream_key": stream_key,
        "stream_key_secret": keys.reveal_stream_key(key=stream_key),
        "rtmp_url": settings.RTMP_INGEST_URL,
        "upcoming": selectors.list_upcoming_streams(host=user),
        "stall_seconds": settings.BROWSER_INGEST_STALL_SECONDS,
        "resume_grace_seconds": settings.STREAM_RESUME_GRACE_SECONDS,
        "studio_messages": STUDIO_MESSAGES,
    }


@login_required
def studio(request):
    return render(request, "streams/studio.html", _studio_context(request))


def _prepare_stream(*, host, fields: dict, ingest: str) -> Stream:
    """Reuse the host's live or not-yet-started stream, else create one."""
    stream = selectors.get_publishable_stream_for_host(host=host)
    if stream is None:
        return lifecycle.create_stream(host=host, ingest=ingest, **fields)
    if stream.status != Stream.Status.SCHEDULED:
        fields = {name: value for name, value in fields.items() if name != "record"}
    return lifecycle.update_stream(stream=stream, **fields)


@login_required
@require_POST
def prepare(request):
    """Save the stream details before going live.

    From the camera studio (fetch, JSON answer) the page then opens the publishing
    socket; from the OBS panel (form post) the details wait for OBS to connect.
    """
    for_obs = request.POST.get("ingest") == Stream.Ingest.RTMP
    form = StreamDetailsForm(request.POST, prefix="obs" if for_obs else None)
    ingest = Stream.Ingest.RTMP if for_obs else Stream.Ingest.BROWSER
    stream = None
    if form.is_valid():
        try:
            stream = _prepare_stream(host=request.user, fields=form.stream_fields(), ingest=ingest)
        except ApplicationError as error:
            form.add_service_error(error)
    if for_obs:
        if stream is None:
            context = _studio_context(request, obs_form=form)
            return render(request, "streams/studio.html", context, status=400)
        messages.success(request, _("Saved. Start streaming in OBS and you will go live."))
        return redirect(reverse("streams:studio") + "#obs")
    if stream is None:
        errors = {field or "__all__": [str(e) for e in errs] for field, errs in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    return JsonResponse(
        {
            "stream_id": stream.pk,
            "publish_path": f"/ws/streams/{stream.pk}/publish/",
            "watch_url": stream.get_absolute_url(),
            "stop_url": reverse("streams:studio-stop", args=[stream.pk]),
        }
    )


@login_required
@require_POST
def schedule(request):
    form = ScheduleStreamForm(request.POST, prefix="schedule")
    if form.is_valid():
        try:
            stream = lifecycle.create_stream(host=request.user, **form.stream_fields())
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Scheduled. Your followers can now set a reminder for “%s”.") % stream.title,
            )
            return redirect(reverse("streams:studio") + "#schedule")
    context = _studio_context(request, schedule_form=form)
    return render(request, "streams/studio.html", context, status=400)


@login_required
@require_POST
def stop(request, stream_id: int):
    """End the host's stream (Stop, a closing tab's beacon, or cancelling a schedule)."""
    try:
        stream = selectors.get_stream(stream_id=stream_id)
        stream = lifecycle.stop_own_stream(stream=stream, actor=request.user)
    except StreamNotFound:
        return JsonResponse({"code": "not_found"}, status=404)
    except ApplicationError as error:
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"code": error.code, "message": error.message}, status=403)
        messages.error(request, error.message)
        return redirect("streams:studio")
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": stream.status})
    if stream.end_reason == Stream.EndReason.NEVER_STARTED:
        messages.success(request, _("The scheduled stream was cancelled."))
    else:
        messages.success(request, _("Your stream has ended."))
    return redirect("streams:studio")


@login_required
@require_POST
def rotate_key(request):
    keys.rotate_stream_key(creator=request.user)
    messages.success(
        request,
        _("Your stream key was replaced. The old key no longer works: paste the new one into OBS."),
    )
    return redirect(reverse("streams:studio") + "#obs")
