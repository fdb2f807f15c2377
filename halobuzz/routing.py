"""WebSocket routes of every app, gathered in one list for the ASGI router."""

from streams.routing import websocket_urlpatterns as streams_websockets

websocket_urlpatterns: list = [*streams_websockets]
