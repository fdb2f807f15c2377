from django.conf import settings
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from halobuzz.users.models import User
from halobuzz.users.services import PROFILE_FIELDS


class PublicUserSerializer(serializers.ModelSerializer):
    """What anyone may see of a user."""

    name = serializers.CharField(read_only=True)
    avatar_url = serializers.SerializerMethodField()
    profile_url = serializers.SerializerMethodField()
    country = CountryField(read_only=True)

    class Meta:
        model = User
        fields = [
            "username",
            "name",
            "display_name",
            "avatar_url",
            "bio",
            "country",
            "is_creator",
            "date_joined",
            "profile_url",
        ]
        read_only_fields = fields

    def get_avatar_url(self, user: User) -> str | None:
        return self._absolute_url(user.avatar.url) if user.avatar else None

    def get_profile_url(self, user: User) -> str:
        return self._absolute_url(user.get_absolute_url())

    def _absolute_url(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else f"{settings.SITE_URL}{path}"


class UserProfileSerializer(PublicUserSerializer):
    follower_count = serializers.IntegerField(read_only=True)
    following_count = serializers.IntegerField(read_only=True)
    is_following = serializers.SerializerMethodField()

    class Meta(PublicUserSerializer.Meta):
        fields = [
            *PublicUserSerializer.Meta.fields,
            "follower_count",
            "following_count",
            "is_following",
        ]
        read_only_fields = fields

    def get_is_following(self, user: User) -> bool:
        return bool(self.context.get("is_following", False))


ME_FIELDS = [
    *UserProfileSerializer.Meta.fields,
    "email",
    "preferred_language",
    "preferred_currency",
    "time_zone",
]


class MeSerializer(UserProfileSerializer):
    """The signed-in user's own account, including private settings."""

    country = CountryField(required=False, allow_blank=True)

    class Meta(UserProfileSerializer.Meta):
        fields = ME_FIELDS
        read_only_fields = [field for field in ME_FIELDS if field not in PROFILE_FIELDS]


class FollowStateSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    follower_count = serializers.IntegerField()
