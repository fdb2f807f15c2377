import os
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from halobuzz.users import selectors, services
from halobuzz.users.exceptions import CannotFollowSelf, InvalidAvatar
from halobuzz.users.models import Follow
from tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def image_upload(*, image_format="PNG", size=(640, 480), name="pic.png"):
    buffer = BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_following_twice_keeps_one_follow():
    fan, star = UserFactory(), UserFactory()
    first = services.follow_user(follower=fan, followee=star)
    second = services.follow_user(follower=fan, followee=star)
    assert first.pk == second.pk
    assert Follow.objects.count() == 1


def test_nobody_can_follow_themselves():
    person = UserFactory()
    with pytest.raises(CannotFollowSelf):
        services.follow_user(follower=person, followee=person)
    assert not Follow.objects.exists()


def test_the_database_refuses_a_self_follow_even_without_the_service():
    person = UserFactory()
    with pytest.raises(IntegrityError):
        Follow.objects.create(follower=person, followee=person)


def test_unfollowing_someone_not_followed_is_harmless():
    services.unfollow_user(follower=UserFactory(), followee=UserFactory())
    assert not Follow.objects.exists()


def test_follow_counts_come_from_the_follow_graph():
    star = UserFactory(username="star")
    for _ in range(3):
        FollowFactory(followee=star)
    FollowFactory(follower=star)

    profile = selectors.get_user_profile(username="STAR")

    assert (profile.follower_count, profile.following_count) == (3, 1)


def test_followers_are_listed_newest_first():
    star = UserFactory()
    older, newer = UserFactory(), UserFactory()
    services.follow_user(follower=older, followee=star)
    services.follow_user(follower=newer, followee=star)
    assert list(selectors.list_followers(user=star)) == [newer, older]
    assert list(selectors.list_following(user=newer)) == [star]


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP", "GIF"])
def test_avatars_of_every_accepted_format_become_a_256px_square(image_format):
    user = UserFactory()
    services.update_profile(
        user=user, avatar_upload=image_upload(image_format=image_format, size=(900, 300))
    )
    with Image.open(user.avatar.path) as avatar:
        assert avatar.size == (256, 256)


def test_replacing_an_avatar_deletes_the_old_file():
    user = UserFactory()
    services.update_profile(user=user, avatar_upload=image_upload())
    old_path = user.avatar.path
    services.update_profile(user=user, avatar_upload=image_upload())
    assert user.avatar.path != old_path
    assert not os.path.exists(old_path)


def test_an_oversized_upload_is_refused_before_anything_changes(settings):
    settings.AVATAR_MAX_UPLOAD_BYTES = 1000
    user = UserFactory(display_name="Unchanged")
    with pytest.raises(InvalidAvatar, match="larger than"):
        services.update_profile(
            user=user, display_name="Changed", avatar_upload=image_upload(size=(800, 800))
        )
    user.refresh_from_db()
    assert user.display_name == "Unchanged"
    assert not user.avatar


def test_a_bmp_image_is_refused():
    with pytest.raises(InvalidAvatar, match="JPEG, PNG, WebP or GIF"):
        services.update_profile(
            user=UserFactory(), avatar_upload=image_upload(image_format="BMP", name="x.bmp")
        )


def test_removing_the_avatar():
    user = UserFactory()
    services.update_profile(user=user, avatar_upload=image_upload())
    services.update_profile(user=user, remove_avatar=True)
    user.refresh_from_db()
    assert not user.avatar


def test_update_profile_refuses_fields_it_does_not_own():
    with pytest.raises(TypeError):
        services.update_profile(user=UserFactory(), is_staff=True)
