"""Stream API: discovery, create/schedule/edit/end, the owner's stream key, RTC tokens.

Views parse, call one service or selector and serialize; rules live in
`streams.services` .
"""

from django.conf import settings
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from halobuzz.core.api.serializers import ErrorSerializer
from streams import selectors
from streams.api.serializers import (
    CategorySerializer,
    RtcTokenSerializer,
    StreamCreateSerializer,
    StreamKeySerializer,
    StreamListParamsSerializer,
    StreamSerializer,
    StreamWriteSerializer,
)
from streams.services import keys as key_services
from streams.services import lifecycle, rtc

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class IsStreamHostOrReadOnly(permissions.BasePermission):
    message = _("Only the host can change this stream.")
    code = "not_stream_host"

    def has_object_permission(self, request, view, stream) -> bool:
        return request.method in permissions.SAFE_METHODS or stream.host_id == request.user.pk


class StreamListCreateView(generics.ListAPIView):
    serializer_class = StreamSerializer

    def get_queryset(self):
        params = StreamListParamsSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        return selectors.list_public_streams(
            status=filters["status"],
            category=filters.get("category", ""),
            language=filters.get("language", ""),
            country=filters.get("country", ""),
            query=filters.get("q", ""),
        )

    @extend_schema(
        parameters=[StreamListParamsSerializer],
        responses={200: StreamSerializer(many=True), 400: ErrorSerializer},
        description=(
            "Live streams (most watched first), scheduled ones (soonest first) or ended "
            "ones (newest first)."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=StreamCreateSerializer,
        responses={201: StreamSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
        description=(
            "Create a stream to go live now, or schedule it with `scheduled_start`. "
            "Errors: `invalid` (field errors in `extra.fields`), `schedule_in_past`, "
            "`schedule_too_far`, `too_many_tags`, `tag_too_long`, and `daily_stream_limit` "
            "(400, `extra.limit`) once STREAMS_MAX_NEW_PER_DAY streams were created in 24 h."
        ),
    )
    def post(self, request, *args, **kwargs):
        serializer = StreamCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stream = lifecycle.create_stream(host=request.user, **serializer.validated_data)
        body = StreamSerializer(stream, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class StreamDetailView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsStreamHostOrReadOnly]

    def _get_stream(self, request, stream_id: int):
        stream = selectors.get_stream(stream_id=stream_id)
        self.check_object_permissions(request, stream)
        return stream

    @extend_schema(responses={200: StreamSerializer, 404: ErrorSerializer})
    def get(self, request, stream_id: int):
        stream = self._get_stream(request, stream_id)
        return Response(StreamSerializer(stream, context={"request": request}).data)

    @extend_schema(
        request=StreamWriteSerializer,
        responses={200: StreamSerializer, **ERRORS},
        description=(
            "The host changes their stream. 403 `not_stream_host` for anyone else; "
            "`stream_ended`, `stream_already_started` (schedule or recording after going "
            "live) and the create errors otherwise."
        ),
    )
    def patch(self, request, stream_id: int):
        stream = self._get_stream(request, stream_id)
        serializer = StreamWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        stream = lifecycle.update_stream(stream=stream, **serializer.validated_data)
        return Response(StreamSerializer(stream, context={"request": request}).data)


class StreamEndView(APIView):
    permission_classes = [IsAuthenticated, IsStreamHostOrReadOnly]

    @extend_schema(
        request=None,
        responses={200: StreamSerializer, **ERRORS},
        description="The host ends their stream, or cancels it if it has not started. "
        "Ending an ended stream changes nothing.",
    )
    def post(self, request, stream_id: int):
        stream = selectors.get_stream(stream_id=stream_id)
        self.check_object_permissions(request, stream)
        stream = lifecycle.stop_own_stream(stream=stream, actor=request.user)
        return Response(StreamSerializer(stream, context={"request": request}).data)


class CategoryListView(generics.ListAPIView):
    """Every active category, in display order (a short list, so not paginated)."""

    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.list_categories()


def _key_body(*, key, secret: str | None) -> dict:
    return StreamKeySerializer(
        {
            "key": secret,
            "rtmp_url": settings.RTMP_INGEST_URL,
            "rotated_at": key.rotated_at,
            "disabled": key.is_disabled,
        }
    ).data


@method_decorator(never_cache, name="dispatch")
class StreamKeyView(APIView):
    """The signed-in user's own stream key; there is no way to read anyone else's."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: StreamKeySerializer, 401: ErrorSerializer},
        operation_id="streams_key_retrieve",
        description="Reveal your stream key (created on first use) for OBS.",
    )
    def get(self, request):
        key = key_services.get_or_create_stream_key(creator=request.user)
        return Response(_key_body(key=key, secret=key_services.reveal_stream_key(key=key)))


@method_decorator(never_cache, name="dispatch")
class StreamKeyRotateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: StreamKeySerializer, 401: ErrorSerializer},
        operation_id="streams_key_rotate",
        description="Replace your stream key. The old key stops working at once; an "
        "encoder still using it is cut off within RTMP_UPDATE_INTERVAL_SECONDS.",
    )
    def post(self, request):
        secret = key_services.rotate_stream_key(creator=request.user)
        key = selectors.get_stream_key_for_owner(user=request.user)
        return Response(_key_body(key=key, secret=secret))


@method_decorator(never_cache, name="dispatch")
class RtcTokenView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: RtcTokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`stream_not_live`"),
            401: ErrorSerializer,
            404: OpenApiResponse(
                ErrorSerializer, description="`not_found`, or `provider_disabled` (not Agora)"
            ),
            503: OpenApiResponse(
                ErrorSerializer, description="`provider_not_configured` (Agora credentials)"
            ),
        },
        description=(
            "An Agora RTC token for the stream's channel (its public id), uid = your user "
            "id. The host gets a publisher token until the stream ends; anyone else a "
            "subscriber token while it is live. Only when VIDEO_PROVIDER is `agora`."
        ),
    )
    def get(self, request, stream_id: int):
        stream = selectors.get_stream(stream_id=stream_id)
        grant = rtc.issue_rtc_token(stream=stream, user=request.user)
        return Response(RtcTokenSerializer(grant).data)
