"""Stream API shapes. Public shapes never carry key material: no stream key, key hash,
publisher token or sealed key; only the owner's key endpoint reveals their own key."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from halobuzz.users.models import User
from streams import selectors
from streams.models import STREAM_LANGUAGES, TITLE_MAX_LENGTH, Stream, StreamCategory
from streams.selectors import PUBLIC_STREAM_STATUSES
from streams.services.lifecycle import MAX_TAGS


def _absolute_url(context: dict, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else f"{settings.SITE_URL}{path}"


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="In the request's language.")

    class Meta:
        model = StreamCategory
        fields = ["slug", "name", "icon"]
        read_only_fields = fields

    def get_name(self, category: StreamCategory) -> str:
        return category.localized_name()


class StreamHostSerializer(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "display_name", "avatar_url"]
        read_only_fields = fields

    def get_avatar_url(self, user: User) -> str | None:
        return _absolute_url(self.context, user.avatar.url) if user.avatar else None


class VodSerializer(serializers.Serializer):
    url = serializers.URLField()
    duration_seconds = serializers.IntegerField()


class StreamSerializer(serializers.ModelSerializer):
    """What anyone may see of a stream."""

    category = CategorySerializer(read_only=True, allow_null=True)
    host = StreamHostSerializer(read_only=True)
    thumbnail_url = serializers.SerializerMethodField()
    watch_url = serializers.SerializerMethodField()
    playlist_url = serializers.SerializerMethodField(
        help_text="The live HLS playlist while the stream is live or reconnecting, else null."
    )
    vod = serializers.SerializerMethodField(help_text="The recording once it is ready, else null.")

    class Meta:
        model = Stream
        fields = [
            "id",
            "title",
            "description",
            "status",
            "category",
            "language",
            "tags",
            "host",
            "current_viewers",
            "peak_viewers",
            "unique_viewers",
            "thumbnail_url",
            "started_at",
            "ended_at",
            "scheduled_start",
            "record",
            "watch_url",
            "playlist_url",
            "vod",
        ]
        read_only_fields = fields

    def get_thumbnail_url(self, stream: Stream) -> str | None:
        return _absolute_url(self.context, stream.thumbnail.url) if stream.thumbnail else None

    def get_watch_url(self, stream: Stream) -> str:
        return _absolute_url(self.context, stream.get_absolute_url())

    def get_playlist_url(self, stream: Stream) -> str | None:
        return _absolute_url(self.context, stream.playlist_url) if stream.is_active else None

    @extend_schema_field(VodSerializer(allow_null=True))
    def get_vod(self, stream: Stream) -> dict | None:
        recording = selectors.get_ready_vod(stream=stream)
        if recording is None:
            return None
        return {
            "url": _absolute_url(self.context, recording.file.url),
            "duration_seconds": recording.duration_seconds,
        }


class StreamListParamsSerializer(serializers.Serializer):
    """Query parameters of the stream list; a missing or empty filter means no filter."""

    status = serializers.ChoiceField(choices=PUBLIC_STREAM_STATUSES, default="live")
    category = serializers.SlugField(required=False, allow_blank=True, help_text="A category slug.")
    language = serializers.CharField(required=False, allow_blank=True, max_length=8)
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2,
        help_text="The host's country (ISO code).",
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Title, host or tag."
    )


class StreamWriteSerializer(serializers.Serializer):
    """Create (POST) or change (PATCH, partial) a stream. The service holds the rules
    about titles, tags and schedules; this checks types and the model's limits."""

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        max_length=Stream._meta.get_field("description").max_length,
        required=False,
        allow_blank=True,
    )
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=selectors.list_categories(),
        required=False,
        allow_null=True,
    )
    language = serializers.ChoiceField(choices=STREAM_LANGUAGES, required=False)
    # Checked again (length, duplicates) by the service; the cap here only stops
    # an oversized list before it is normalized.
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=MAX_TAGS * 3
    )
    record = serializers.BooleanField(required=False)
    scheduled_start = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Leave out (or null) to go live now; a future time schedules the stream.",
    )


class StreamCreateSerializer(StreamWriteSerializer):
    ingest = serializers.ChoiceField(choices=Stream.Ingest.choices, required=False)


class StreamKeySerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text=(
            "The key in the clear, for the owner's encoder. Null when it can no longer be "
            "revealed (the server's secret changed): rotate it to get a new one."
        ),
    )
    rtmp_url = serializers.CharField(help_text="The RTMP server URL to put in OBS.")
    rotated_at = serializers.DateTimeField(allow_null=True)
    disabled = serializers.BooleanField(help_text="A moderator disabled the key; rotate it.")


class RtcTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    app_id = serializers.CharField()
    channel = serializers.CharField()
    uid = serializers.IntegerField()
    role = serializers.ChoiceField(choices=["publisher", "subscriber"])
    expires_at = serializers.DateTimeField()
