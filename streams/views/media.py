"""Live HLS for `make run` and tests; in production nginx serves HLS_URL itself."""

import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

_PUBLIC_ID = re.compile(r"^[0-9a-f]{8,32}$")
_HLS_FILE = re.compile(r"^[A-Za-z0-9_-]{1,64}\.(m3u8|ts|m4s|mp4)$")
CONTENT_TYPES = {
    "m3u8": "application/vnd.apple.mpegurl",
    "ts": "video/mp2t",
    "m4s": "video/iso.segment",
    "mp4": "video/mp4",
}


@require_GET
def serve_hls(request, public_id: str, filename: str):
    match = _HLS_FILE.match(filename)
    if not _PUBLIC_ID.match(public_id) or not match:
        raise Http404
    path = settings.HLS_ROOT / public_id / filename
    try:
        # Playlists and ~2 s segments are small; reading them whole avoids streaming a
        # sync file iterator through the ASGI handler.
        content = path.read_bytes()
    except OSError as error:
        raise Http404 from error
    extension = match.group(1)
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    # The playlist changes every segment; segments never change once written.
    response["Cache-Control"] = "no-cache" if extension == "m3u8" else "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
