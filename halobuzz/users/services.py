"""Writes to users and the follow graph. Views, the API and admin call these."""

from django.db import IntegrityError, transaction

from halobuzz.users.avatars import make_avatar
from halobuzz.users.exceptions import CannotFollowSelf
from halobuzz.users.models import Follow, User
from halobuzz.users.signals import avatar_changed

PROFILE_FIELDS = (
    "display_name",
    "bio",
    "country",
    "preferred_language",
    "preferred_currency",
    "time_zone",
)


@transaction.atomic
def follow_user(*, follower: User, followee: User) -> Follow:
    """Make ``follower`` follow ``followee``; following twice is a no-op.

    Raises CannotFollowSelf.
    """
    if follower.pk == followee.pk:
        raise CannotFollowSelf()
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(follower=follower, followee=followee)
    except IntegrityError:
        # A concurrent request created it between our read and our insert.
        follow = Follow.objects.get(follower=follower, followee=followee)
    return follow


def unfollow_user(*, follower: User, followee: User) -> None:
    """Stop following; unfollowing someone you do not follow is a no-op."""
    Follow.objects.filter(follower=follower, followee=followee).delete()


def update_profile(
    *, user: User, avatar_upload=None, remove_avatar: bool = False, **changes
) -> User:
    """Change the profile fields named in PROFILE_FIELDS and, optionally, the avatar.

    The avatar is checked and resized before anything is written, so a bad image
    (InvalidAvatar) leaves the profile as it was. Field values are validated by the
    caller's form or serializer and again by the model here.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"update_profile() got unexpected fields: {sorted(unknown)}")
    new_avatar = make_avatar(avatar_upload) if avatar_upload is not None else None
    previous_avatar = user.avatar.name if user.avatar else ""

    with transaction.atomic():
        for field, value in changes.items():
            setattr(user, field, value)
        user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in changes])
        updated_fields = list(changes)
        if new_avatar is not None:
            user.avatar.save(new_avatar.name, new_avatar, save=False)
            updated_fields.append("avatar")
        elif remove_avatar and previous_avatar:
            user.avatar = ""
            updated_fields.append("avatar")
        if updated_fields:
            user.save(update_fields=updated_fields)

    if previous_avatar and "avatar" in updated_fields and user.avatar.name != previous_avatar:
        user.avatar.storage.delete(previous_avatar)
    if new_avatar is not None:
        avatar_changed.send(sender=User, user=user, avatar_name=user.avatar.name)
    return user


def set_preferred_language(*, user: User, language: str) -> User:
    return update_profile(user=user, preferred_language=language)
