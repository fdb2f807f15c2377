"""Reads of users and the follow graph."""

from allauth.account.models import EmailAddress
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from halobuzz.users.exceptions import UserNotFound
from halobuzz.users.models import Follow, User


def get_display_name(user: User) -> str:
    return user.display_name or user.username


def _count_follows(*, of_field: str) -> Coalesce:
    counted = (
        Follow.objects.filter(**{of_field: OuterRef("pk")})
        .order_by()
        .values(of_field)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_follow_counts(queryset: QuerySet[User]) -> QuerySet[User]:
    """Annotate ``follower_count`` and ``following_count`` without joining twice."""
    return queryset.annotate(
        follower_count=_count_follows(of_field="followee"),
        following_count=_count_follows(of_field="follower"),
    )


def get_user_profile(*, username: str) -> User:
    """An active user by username (case-insensitive) with follow counts.

    Raises UserNotFound.
    """
    try:
        return with_follow_counts(User.objects.filter(is_active=True)).get(
            username__iexact=username
        )
    except User.DoesNotExist:
        raise UserNotFound(username) from None


def find_user_by_login(*, login: str) -> User | None:
    """The account a sign-in identifier names: a username or any of its email addresses."""
    if not login:
        return None
    if "@" in login:
        address = EmailAddress.objects.filter(email__iexact=login).select_related("user").first()
        return address.user if address else User.objects.filter(email__iexact=login).first()
    return User.objects.filter(username__iexact=login).first()


def is_following(*, follower: User, followee: User) -> bool:
    if not follower.is_authenticated:
        return False
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def list_followers(*, user: User) -> QuerySet[User]:
    """Who follows ``user``, most recent first."""
    return User.objects.filter(is_active=True, following_links__followee=user).order_by(
        "-following_links__created_at", "pk"
    )


def list_following(*, user: User) -> QuerySet[User]:
    """Whom ``user`` follows, most recent first."""
    return User.objects.filter(is_active=True, follower_links__follower=user).order_by(
        "-follower_links__created_at", "pk"
    )
