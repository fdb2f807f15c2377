"""WebSocket routes of every app, gathered in one list for the ASGI router.

Apps append their consumers' routes here as they gain real-time features.
"""

websocket_urlpatterns: list = []
