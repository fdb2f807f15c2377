"""Site-ban lookups and the cached blocked-term lists chat reads on every message."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory
from tests.trust.factories import BlockedTermFactory, SiteBanFactory
from trust import selectors, services
from trust.selectors import chat_safety as chat_safety_selectors
from trust.text import find_blocked_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


# --- Site bans ---------------------------------------------------------------------------


def test_nobody_is_banned_without_a_ban(user):
    assert not selectors.is_banned_sitewide(user=user)
    assert selectors.get_active_site_ban(user=user) is None
    assert not selectors.is_banned_sitewide(user=AnonymousUser())
    assert selectors.get_active_site_ban(user=AnonymousUser()) is None


def test_a_ban_without_expiry_is_active_until_lifted(user):
    site_ban = SiteBanFactory(user=user)
    assert selectors.is_banned_sitewide(user=user)
    assert selectors.get_active_site_ban(user=user) == site_ban

    site_ban.lifted_at = timezone.now()
    site_ban.save()
    assert not selectors.is_banned_sitewide(user=user)


def test_a_ban_is_active_until_it_expires(user):
    SiteBanFactory(user=user, expires_at=timezone.now() + timedelta(hours=1))
    assert selectors.is_banned_sitewide(user=user)

    SiteBanFactory(user=UserFactory(), expires_at=timezone.now() - timedelta(seconds=1))
    assert selectors.is_banned_sitewide(user=user)


def test_an_expired_ban_is_not_active(user):
    SiteBanFactory(user=user, expires_at=timezone.now() - timedelta(seconds=1))
    assert not selectors.is_banned_sitewide(user=user)
    assert selectors.get_active_site_ban(user=user) is None


def test_the_longest_lasting_ban_is_the_active_one(user):
    SiteBanFactory(user=user, expires_at=timezone.now() + timedelta(days=1))
    permanent = SiteBanFactory(user=user)
    SiteBanFactory(user=user, expires_at=timezone.now() + timedelta(days=30))
    assert selectors.get_active_site_ban(user=user) == permanent


# --- Blocked terms -----------------------------------------------------------------------


def test_a_channel_sees_global_terms_and_its_own(creator):
    BlockedTermFactory(term="Global")
    BlockedTermFactory(term="Mine", channel=creator)
    BlockedTermFactory(term="Theirs", channel=UserFactory(is_creator=True))

    assert selectors.list_blocked_terms(channel=creator) == ["global", "mine"]
    assert selectors.list_blocked_terms() == ["global"]


def test_the_lists_are_cached(creator):
    BlockedTermFactory(term="Global")
    selectors.list_blocked_terms(channel=creator)

    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert selectors.list_blocked_terms(channel=creator) == ["global"]
    assert len(queries) == 0


def test_rows_written_behind_the_services_back_show_after_the_cache_expires(creator):
    selectors.list_blocked_terms(channel=creator)
    BlockedTermFactory(term="Sneaky", channel=creator)
    assert selectors.list_blocked_terms(channel=creator) == []

    # What BLOCKED_TERMS_CACHE_SECONDS passing does:
    chat_safety_selectors._memo.clear()
    cache.clear()
    assert selectors.list_blocked_terms(channel=creator) == ["sneaky"]


def test_the_cache_is_invalidated_only_when_the_change_commits(
    creator, django_capture_on_commit_callbacks
):
    assert selectors.list_blocked_terms(channel=creator) == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.add_blocked_term(term="spoiler", channel=creator, actor=creator)
        # Not committed yet: readers keep the list they have.
        assert selectors.list_blocked_terms(channel=creator) == []

    for callback in callbacks:
        callback()
    assert selectors.list_blocked_terms(channel=creator) == ["spoiler"]


def test_adding_and_removing_through_the_services_invalidates_the_cache(
    creator, staff, django_capture_on_commit_callbacks
):
    assert selectors.list_blocked_terms(channel=creator) == []

    with django_capture_on_commit_callbacks(execute=True):
        own = services.add_blocked_term(term="spoiler", channel=creator, actor=creator)
    assert selectors.list_blocked_terms(channel=creator) == ["spoiler"]

    with django_capture_on_commit_callbacks(execute=True):
        services.add_blocked_term(term="scam", actor=staff)
    assert selectors.list_blocked_terms(channel=creator) == ["scam", "spoiler"]
    assert selectors.list_blocked_terms() == ["scam"]

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_blocked_term(blocked_term_id=own.pk, channel=creator, actor=creator)
    assert selectors.list_blocked_terms(channel=creator) == ["scam"]


def test_another_channels_change_leaves_this_channels_cache_alone(
    creator, django_capture_on_commit_callbacks
):
    other = UserFactory(is_creator=True)
    selectors.list_blocked_terms(channel=creator)

    with django_capture_on_commit_callbacks(execute=True):
        services.add_blocked_term(term="spoiler", channel=other, actor=other)

    with CaptureQueriesContext(connection) as queries:
        assert selectors.list_blocked_terms(channel=creator) == []
    assert len(queries) == 0


def test_the_list_feeds_find_blocked_term(creator):
    BlockedTermFactory(term="spoiler", channel=creator)
    assert find_blocked_term("no SP0ILERS please", selectors.list_blocked_terms()) is None
    assert (
        find_blocked_term("ending spoiler: he dies", selectors.list_blocked_terms(channel=creator))
        == "spoiler"
    )


def test_channel_terms_for_the_settings_page(creator):
    BlockedTermFactory(term="zebra", channel=creator)
    BlockedTermFactory(term="apple", channel=creator)
    BlockedTermFactory(term="global")

    rows = list(selectors.list_channel_blocked_terms(channel=creator))

    assert [row.term for row in rows] == ["apple", "zebra"]
