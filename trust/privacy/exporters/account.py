"""The account itself: profile, follows, consents, notifications."""

from allauth.account.models import EmailAddress

from halobuzz.notifications.selectors import list_notifications
from halobuzz.users.models import Follow
from trust.privacy.exporters import exporter
from trust.privacy.selectors import list_consent_history


@exporter("profile")
def export_profile(*, user) -> dict:
    # Named fields only: the password hash and staff flags never leave.
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "bio": user.bio,
        "avatar": user.avatar.url if user.avatar else None,
        "country": str(user.country or ""),
        "preferred_language": user.preferred_language,
        "preferred_currency": user.preferred_currency,
        "time_zone": user.time_zone,
        "is_creator": user.is_creator,
        "identity_verified": user.is_kyc_verified,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _person(user) -> dict:
    return {"username": user.username, "display_name": user.display_name}


@exporter("follows")
def export_follows(*, user) -> dict:
    following = Follow.objects.filter(follower=user).select_related("followee").order_by("pk")
    followers = Follow.objects.filter(followee=user).select_related("follower").order_by("pk")
    return {
        "following": [
            {**_person(follow.followee), "since": follow.created_at} for follow in following
        ],
        "followers": [
            {**_person(follow.follower), "since": follow.created_at} for follow in followers
        ],
    }


@exporter("consents")
def export_consents(*, user) -> list[dict]:
    return [
        {
            "purpose": record.purpose,
            "granted": record.granted,
            "policy_version": record.policy_version,
            "source": record.source,
            "at": record.created_at,
        }
        for record in list_consent_history(user=user).reverse()
    ]


@exporter("notifications")
def export_notifications(*, user) -> list[dict]:
    return [
        {
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "url": notification.url,
            "created_at": notification.created_at,
            "read_at": notification.read_at,
        }
        for notification in list_notifications(user=user).iterator()
    ]
