"""Reads for growth: leaderboards, viral scores, experiment assignments."""

from django.db.models import QuerySet

from halobuzz.users.models import User
from halobuzz.users.selectors import with_follow_counts


def list_most_followed_creators(*, limit: int = 20) -> QuerySet[User]:
    """Active creators by follower count, then username for a stable order."""
    creators = User.objects.filter(is_active=True, is_creator=True)
    return with_follow_counts(creators).order_by("-follower_count", "username")[:limit]
