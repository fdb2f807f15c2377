"""Gift pages: the stream's top gifters (an htmx partial) and the leaderboards page."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from economy.selectors import gifts as gift_selectors


@require_safe
def stream_top_gifters(request, stream_id: int):
    rows = gift_selectors.list_stream_top_gifters(stream_id=stream_id)
    return render(request, "economy/_top_gifters.html", {"top_gifters": rows})
