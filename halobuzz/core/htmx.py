def is_htmx(request) -> bool:
    """True when htmx sent the request and wants a fragment, not a whole page."""
    return request.headers.get("HX-Request") == "true"
