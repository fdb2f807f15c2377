from django.urls import path

from streams.views import chat_settings, discovery, studio, watch

app_name = "streams"

urlpatterns = [
    path("reels/", discovery.reels, name="reels"),
    path("categories/<slug:slug>/", discovery.category, name="category"),
    path("live/<int:stream_id>/", watch.watch, name="watch"),
    path("live/<int:stream_id>/heartbeat/", watch.heartbeat, name="heartbeat"),
    path("live/<int:stream_id>/leave/", watch.leave, name="leave"),
    path("live/<int:stream_id>/reminder/", watch.reminder, name="reminder"),
    path("live/<int:stream_id>/video/delete/", watch.delete_video, name="delete-video"),
    path("studio/", studio.studio, name="studio"),
    path("studio/go-live/", studio.prepare, name="studio-prepare"),
    path("studio/schedule/", studio.schedule, name="studio-schedule"),
    path("studio/streams/<int:stream_id>/stop/", studio.stop, name="studio-stop"),
    path("studio/key/rotate/", studio.rotate_key, name="studio-rotate-key"),
    path("studio/chat/", chat_settings.chat_settings, name="chat-settings"),
    path("studio/chat/moderators/", chat_settings.add_moderator, name="chat-add-moderator"),
    path(
        "studio/chat/moderators/<int:moderator_id>/remove/",
        chat_settings.remove_moderator,
        name="chat-remove-moderator",
    ),
    path("studio/chat/terms/", chat_settings.add_blocked_term, name="chat-add-term"),
    path(
        "studio/chat/terms/<int:term_id>/remove/",
        chat_settings.remove_blocked_term,
        name="chat-remove-term",
    ),
]
