"""Stream keys: one per creator, kept only as a hash and a sealed copy, rotatable."""

import contextlib
import threading

import pytest
from django.db import connection

from streams.exceptions import PublishRefused
from streams.keys import KEY_PREFIX, hash_stream_key
from streams.models import StreamKey
from streams.services import keys as key_services
from streams.services.keys import (
    disable_stream_key,
    find_publishable_key,
    get_or_create_stream_key,
    reveal_stream_key,
    rotate_stream_key,
)
from tests.conftest import require_service
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_creator_gets_one_key_however_often_it_is_asked_for(creator):
    first = get_or_create_stream_key(creator=creator)
    again = get_or_create_stream_key(creator=creator)

    assert again.pk == first.pk
    assert StreamKey.objects.filter(creator=creator).count() == 1


def test_each_creator_gets_a_different_key():
    one = get_or_create_stream_key(creator=UserFactory(is_creator=True))
    other = get_or_create_stream_key(creator=UserFactory(is_creator=True))

    assert reveal_stream_key(key=one) != reveal_stream_key(key=other)
    assert one.key_hash != other.key_hash


def test_the_database_row_holds_a_hash_and_never_the_key_itself(creator):
    key = get_or_create_stream_key(creator=creator)
    secret = reveal_stream_key(key=key)
    random_part = secret.removeprefix(KEY_PREFIX)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {StreamKey._meta.db_table} WHERE id = %s", [key.pk])  # noqa: S608
        row = cursor.fetchone()

    assert secret.startswith(KEY_PREFIX) and len(random_part) >= 40
    stored = " ".join(str(value) for value in row)
    assert random_part not in stored
    assert random_part[:12] not in stored
    assert hash_stream_key(secret) in stored
    assert key.last_characters == secret[-4:]


def test_the_owner_can_reveal_the_key_again_and_it_finds_them(creator):
    key = get_or_create_stream_key(creator=creator)
    secret = reveal_stream_key(key=StreamKey.objects.get(pk=key.pk))

    assert find_publishable_key(secret=secret).creator == creator


def test_a_key_sealed_under_another_secret_key_cannot_be_revealed(creator, settings):
    key = get_or_create_stream_key(creator=creator)
    settings.SECRET_KEY = "a-different-secret-key-after-a-leak-0123456789abcdefghijklmnop"

    assert reveal_stream_key(key=key) is None


def test_rotation_makes_the_old_key_unknown_and_the_new_one_work(creator):
    old_secret = reveal_stream_key(key=get_or_create_stream_key(creator=creator))

    new_secret = rotate_stream_key(creator=creator)

    assert new_secret != old_secret
    with pytest.raises(PublishRefused) as refused:
        find_publishable_key(secret=old_secret)
    assert refused.value.code == "unknown_stream_key"
    assert find_publishable_key(secret=new_secret).creator == creator
    key = StreamKey.objects.get(creator=creator)
    assert reveal_stream_key(key=key) == new_secret
    assert key.rotated_at is not None
    assert key.last_characters == new_secret[-4:]


def test_a_made_up_key_is_unknown(creator):
    get_or_create_stream_key(creator=creator)

    with pytest.raises(PublishRefused) as refused:
        find_publishable_key(secret=KEY_PREFIX + "not-a-real-key")
    assert refused.value.code == "unknown_stream_key"


def test_a_disabled_key_is_refused_until_the_creator_rotates_it(creator):
    secret = reveal_stream_key(key=get_or_create_stream_key(creator=creator))

    key = disable_stream_key(creator=creator, reason="Restreaming pirated football")

    assert key.is_disabled
    assert key.disabled_reason == "Restreaming pirated football"
    with pytest.raises(PublishRefused) as refused:
        find_publishable_key(secret=secret)
    assert refused.value.code == "stream_key_disabled"

    fresh_secret = rotate_stream_key(creator=creator)

    assert find_publishable_key(secret=fresh_secret).creator == creator
    assert not StreamKey.objects.get(creator=creator).is_disabled


def test_disabling_without_a_reason_records_a_default_one(creator):
    key = disable_stream_key(creator=creator)

    assert key.disabled_reason


def test_the_key_of_a_deactivated_creator_is_refused():
    creator = UserFactory(is_creator=True)
    secret = reveal_stream_key(key=get_or_create_stream_key(creator=creator))
    creator.is_active = False
    creator.save(update_fields=["is_active"])

    with pytest.raises(PublishRefused) as refused:
        find_publishable_key(secret=secret)
    assert refused.value.code == "host_inactive"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_opening_the_studio_at_once_share_one_new_key(monkeypatch):
    # Row locks and concurrent unique checks behave as in production only here.
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    creator = UserFactory(is_creator=True)
    both_looked = threading.Barrier(2)
    real_generate = key_services.generate_stream_key

    def generate_after_both_looked():
        # Both requests look for a key (and find none) before either inserts. A fixed
        # service that serialises the two never lets the second get here: go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looked.wait(timeout=2)
        return real_generate()

    monkeypatch.setattr(key_services, "generate_stream_key", generate_after_both_looked)
    outcomes = []

    def open_studio():
        try:
            outcomes.append(get_or_create_stream_key(creator=creator).pk)
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    tabs = [threading.Thread(target=open_studio) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(timeout=30)

    assert len(outcomes) == 2
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert len(set(outcomes)) == 1
    assert StreamKey.objects.filter(creator=creator).count() == 1
