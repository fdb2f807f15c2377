"""Economy API: the gift catalog, sending gifts, the caller's wallet, leaderboards.

Views parse, call one service or selector and serialize; the rules live in
economy.services.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from economy import leaderboards
from economy.api.serializers import (
    GiftSerializer,
    LeaderboardRowSerializer,
    SendGiftSerializer,
    SentGiftSerializer,
    WalletSerializer,
)
from economy.selectors import gifts as gift_selectors
from economy.selectors.ledger import get_wallet_summary
from economy.services.gifts import gift_payload, send_gift
from halobuzz.core.api.serializers import ErrorSerializer
from halobuzz.core.exceptions import ApplicationError

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "1-100 of A-Z a-z 0-9 _ . : -, unique per gift you mean to send (a UUID). "
        "Repeating a request with the same key sends nothing more and returns the "
        "first answer."
    ),
)


def idempotency_key_from(request) -> str:
    key = request.headers.get("Idempotency-Key", "")
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ApplicationError(
            _("Send an Idempotency-Key header (1-100 letters, digits, _ . : -)."),
            code="idempotency_key_required",
        )
    return key


class GiftListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: GiftSerializer(many=True)},
        description="The gifts the caller can send now (their country and campaigns).",
    )
    def get(self, request):
        gifts = gift_selectors.list_available_gifts(user=request.user)
        return Response([gift_payload(gift) for gift in gifts])


class SendGiftView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SendGiftSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: SentGiftSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            402: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description=(
            "Send a gift to a live stream's host: the coins leave your wallet and the "
            "room sees the gift. Errors: `insufficient_coins` (402, `extra.needed`, "
            "`extra.available`), `coin_debt` (402), `not_live`, `own_stream`, "
            "`gift_unavailable`, `invalid_quantity`, `channel_banned`, `site_banned`, "
            "`timed_out`, `idempotency_key_required` (400), `stream_not_found` (404), "
            "`idempotency_key_reused` (409, the key was used for another gift). A repeat "
            "answers 201 with the first body and `Idempotent-Replayed: true`."
        ),
    )
    def post(self, request):
        key = idempotency_key_from(request)
        serializer = SendGiftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sent = send_gift(
            sender=request.user,
            stream_id=data["stream"],
            gift_id=data["gift"],
            quantity=data["quantity"],
            combo=data["combo"],
            idempotency_key=key,
        )
        response = Response(
            SentGiftSerializer(gift_selectors.sent_gift_response(sent)).data,
            status=status.HTTP_201_CREATED,
        )
        if not sent.created:
            response["Idempotent-Replayed"] = "true"
        return response


class WalletView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: WalletSerializer, 401: ErrorSerializer})
    def get(self, request):
        return Response(WalletSerializer(get_wallet_summary(user=request.user)).data)


def _rows(rows) -> list[dict]:
    return [
        {
            "rank": row.rank,
            "user_id": row.user.pk,
            "username": row.user.username,
            "name": row.user.name,
            "score": row.score,
        }
        for row in rows
    ]


class StreamTopGiftersView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: LeaderboardRowSerializer(many=True)},
        description="Who gave the most coins in this stream.",
    )
    def get(self, request, stream_id: int):
        rows = gift_selectors.list_stream_top_gifters(stream_id=stream_id)
        return Response(LeaderboardRowSerializer(_rows(rows), many=True).data)


class LeaderboardParams(serializers.Serializer):
    period = serializers.ChoiceField(choices=leaderboards.PERIODS, default=leaderboards.DAY)


class CreatorTopGiftersView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[LeaderboardParams],
        responses={200: LeaderboardRowSerializer(many=True), 400: ErrorSerializer},
        description="Who gave the most coins to this creator today, this week or ever.",
    )
    def get(self, request, user_id: int):
        params = LeaderboardParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = gift_selectors.list_creator_top_gifters(
            creator_id=user_id, period=params.validated_data["period"]
        )
        return Response(LeaderboardRowSerializer(_rows(rows), many=True).data)


class TopCreatorsParams(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=[leaderboards.DAY, leaderboards.WEEK], default=leaderboards.DAY
    )


class TopCreatorsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[TopCreatorsParams],
        responses={200: LeaderboardRowSerializer(many=True), 400: ErrorSerializer},
        description="Creators by diamonds earned today or this week.",
    )
    def get(self, request):
        params = TopCreatorsParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = gift_selectors.list_top_earning_creators(period=params.validated_data["period"])
        return Response(LeaderboardRowSerializer(_rows(rows), many=True).data)
