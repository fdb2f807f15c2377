from django.urls import path

from streams.consumers.publish import StreamPublishConsumer
from streams.consumers.room import RoomConsumer

websocket_urlpatterns = [
    path("ws/streams/<int:stream_id>/", RoomConsumer.as_asgi()),
    path("ws/streams/<int:stream_id>/publish/", StreamPublishConsumer.as_asgi()),
]
