from django.urls import path

from streams.consumers import StreamPublishConsumer

websocket_urlpatterns = [
    path("ws/streams/<int:stream_id>/publish/", StreamPublishConsumer.as_asgi()),
]
