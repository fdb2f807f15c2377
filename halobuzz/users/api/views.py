from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from halobuzz.core.api.serializers import ErrorSerializer
from halobuzz.users import selectors, services
from halobuzz.users.api.serializers import (
    FollowStateSerializer,
    MeSerializer,
    PublicUserSerializer,
    UserProfileSerializer,
)

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def _render(self, request):
        me = selectors.get_user_profile(username=request.user.username)
        return MeSerializer(me, context={"request": request}).data

    @extend_schema(responses={200: MeSerializer, **ERRORS}, operation_id="me_retrieve")
    def get(self, request):
        return Response(self._render(request))

    @extend_schema(
        request=MeSerializer,
        responses={200: MeSerializer, **ERRORS},
        operation_id="me_partial_update",
    )
    def patch(self, request):
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_profile(user=request.user, **serializer.validated_data)
        return Response(self._render(request))


class UserDetailView(APIView):
    @extend_schema(responses={200: UserProfileSerializer, 404: ErrorSerializer})
    def get(self, request, username: str):
        user = selectors.get_user_profile(username=username)
        is_following = selectors.is_following(follower=request.user, followee=user)
        serializer = UserProfileSerializer(
            user, context={"request": request, "is_following": is_following}
        )
        return Response(serializer.data)


class FollowView(APIView):
    """Follow (POST) or unfollow (DELETE) a user. Both are idempotent."""

    permission_classes = [IsAuthenticated]

    def _follow_state(self, request, username: str):
        user = selectors.get_user_profile(username=username)
        state = {
            "following": selectors.is_following(follower=request.user, followee=user),
            "follower_count": user.follower_count,
        }
        return FollowStateSerializer(state).data

    @extend_schema(request=None, responses={200: FollowStateSerializer, **ERRORS})
    def post(self, request, username: str):
        followee = selectors.get_user_profile(username=username)
        services.follow_user(follower=request.user, followee=followee)
        return Response(self._follow_state(request, username), status=status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: FollowStateSerializer, **ERRORS})
    def delete(self, request, username: str):
        followee = selectors.get_user_profile(username=username)
        services.unfollow_user(follower=request.user, followee=followee)
        return Response(self._follow_state(request, username))


class FollowersListView(generics.ListAPIView):
    serializer_class = PublicUserSerializer

    def get_queryset(self):
        user = selectors.get_user_profile(username=self.kwargs["username"])
        return selectors.list_followers(user=user)


class FollowingListView(generics.ListAPIView):
    serializer_class = PublicUserSerializer

    def get_queryset(self):
        user = selectors.get_user_profile(username=self.kwargs["username"])
        return selectors.list_following(user=user)
