"""nginx-rtmp callbacks. Only the media server may call them (MEDIA_SERVER_SECRET).

nginx-rtmp posts form fields (call, name, app, addr, clientid, ...). A 2xx answer
accepts, anything else refuses; for on_publish a 3xx relays the encoder to the
internal `hls` application under the stream's public id, so HLS paths never
contain the key. See deploy/nginx/media-server.conf.template.
"""

import hmac
import logging

from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from halobuzz.core.exceptions import ApplicationError
from streams.keys import media_server_secret
from streams.services import publishing

logger = logging.getLogger(__name__)


class RelayRedirect(HttpResponseRedirect):
    # nginx-rtmp relays to rtmp:// locations; Django would refuse the scheme.
    allowed_schemes = ["rtmp"]


def _authorized(request) -> bool:
    given = request.GET.get("secret", "")
    return hmac.compare_digest(given.encode(), media_server_secret().encode())


@csrf_exempt
@require_POST
def callback(request, event: str):
    if not _authorized(request):
        logger.warning("rtmp callback %s refused: bad or missing secret", event)
        return HttpResponseForbidden("bad media server secret")
    name = request.POST.get("name", "")
    call = request.POST.get("call", "")
    if event == "publish" and call == "publish":
        try:
            stream = publishing.accept_rtmp_publish(stream_key=name)
        except ApplicationError as error:
            logger.info("rtmp publish refused: %s", error.code)
            return HttpResponseForbidden(error.code)
        relay_host = request.GET.get("relay", "127.0.0.1:1935")
        return RelayRedirect(f"rtmp://{relay_host}/hls/{stream.public_id}")
    if event == "update":
        # nginx also reports the internal relay (call=update_play); only the encoder counts.
        if call != "update_publish" or publishing.check_rtmp_publisher(stream_key=name):
            return HttpResponse("ok")
        return HttpResponseForbidden("publisher no longer allowed")
    if event == "publish_done" and call == "publish_done":
        publishing.finish_rtmp_publish(stream_key=name)
        return HttpResponse("ok")
    if event == "record_done" and call == "record_done":
        publishing.attach_rtmp_recording(public_id=name, path=request.POST.get("path", ""))
        return HttpResponse("ok")
    return HttpResponse("ignored")
