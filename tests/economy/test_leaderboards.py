"""Gift leaderboards: built from the ledger when missing, kept current per gift, on
Redis when there is one and from the ledger alone when there is not."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import override_settings

from economy import leaderboards
from economy.models import Gift, LedgerTransaction
from economy.selectors.gifts import (
    list_creator_top_gifters,
    list_stream_top_gifters,
    list_top_earning_creators,
)
from economy.services.gifts import send_gift
from streams.models import Stream
from tests.economy.ledger_helpers import grant, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

pytestmark = pytest.mark.django_db

EMBEDDED_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(params=["embedded", "redis"])
def backend(request, settings):
    """Each test on the embedded cache and, when REDIS_URL is set, on Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_url")
        yield "redis"
    else:
        with override_settings(CACHES=EMBEDDED_CACHE):
            # Local-memory caches share their store across instances: start empty.
            caches["default"].clear()
            yield "embedded"


def gifter(coins=10_000):
    user = UserFactory()
    grant(wallet_of(user), coins)
    return user


def give(sender, stream, slug, *, quantity=1):
    gift = Gift.objects.get(slug=slug)
    return send_gift(
        sender=sender,
        stream_id=stream.pk,
        gift_id=gift.pk,
        quantity=quantity,
        idempotency_key=f"{sender.pk}-{slug}-{quantity}-{stream.pk}",
    )


def ranking(rows):
    return [(row.rank, row.user, row.score) for row in rows]


def test_a_streams_top_gifters_follow_each_gift(backend, django_capture_on_commit_callbacks):
    stream = LiveStreamFactory()
    ana, bia = gifter(), gifter()
    with django_capture_on_commit_callbacks(execute=True):
        give(ana, stream, "coffee")  # 10
    assert ranking(list_stream_top_gifters(stream_id=stream.pk)) == [(1, ana, 10)]

    with django_capture_on_commit_callbacks(execute=True):
        give(bia, stream, "mic")  # 30
        give(ana, stream, "coffee", quantity=3)  # 30 more

    assert ranking(list_stream_top_gifters(stream_id=stream.pk)) == [(1, ana, 40), (2, bia, 30)]


def test_a_lost_board_is_rebuilt_exact_from_the_ledger(backend, django_capture_on_commit_callbacks):
    stream = LiveStreamFactory()
    ana = gifter()
    with django_capture_on_commit_callbacks(execute=True):
        give(ana, stream, "trophy")
    list_stream_top_gifters(stream_id=stream.pk)

    leaderboards.forget(leaderboards.stream_gifters_board(stream_id=stream.pk))

    assert ranking(list_stream_top_gifters(stream_id=stream.pk)) == [(1, ana, 200)]


def test_a_creators_gifters_by_day_week_and_all_time(backend):
    first = LiveStreamFactory()
    ana, bia = gifter(), gifter()
    give(ana, first, "trophy")
    Stream.objects.filter(pk=first.pk).update(status=Stream.Status.ENDED)
    second = LiveStreamFactory(host=first.host)
    give(bia, second, "mic")
    # Bia's older gift: last month, so it counts only all time.
    old = give(bia, second, "fireworks")
    LedgerTransaction.objects.filter(pk=old.transaction.pk).update(
        created_at=old.transaction.created_at - timedelta(days=40)
    )
    creator = first.host.pk

    today = list_creator_top_gifters(creator_id=creator, period=leaderboards.DAY)
    ever = list_creator_top_gifters(creator_id=creator, period=leaderboards.ALL_TIME)

    assert ranking(today) == [(1, ana, 200), (2, bia, 30)]
    assert ranking(ever) == [(1, bia, 1030), (2, ana, 200)]
    week = list_creator_top_gifters(creator_id=creator, period=leaderboards.WEEK)
    assert ranking(week) == ranking(today)


def test_top_earning_creators_rank_by_diamonds(backend):
    small, big = LiveStreamFactory(), LiveStreamFactory()
    fan = gifter()
    give(fan, small, "coffee")  # 7 diamonds
    give(fan, big, "trophy")  # 140 diamonds

    rows = list_top_earning_creators(period=leaderboards.DAY)

    assert ranking(rows) == [(1, big.host, 140), (2, small.host, 7)]


def test_the_week_starts_on_monday_utc():
    from datetime import UTC, datetime

    sunday_night = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert leaderboards.period_start(leaderboards.WEEK, now=sunday_night) == datetime(
        2026, 11, 16, tzinfo=UTC
    )
    assert leaderboards.period_start(leaderboards.DAY, now=sunday_night) == datetime(
        2026, 11, 22, tzinfo=UTC
    )
    assert leaderboards.period_start(leaderboards.ALL_TIME) is None


def test_the_leaderboards_page_ranks_creators_by_diamonds_today_and_this_week(client, backend):
    small, big = LiveStreamFactory(), LiveStreamFactory()
    fan = gifter()
    give(fan, small, "coffee")
    give(fan, big, "trophy")

    for period in ("day", "week"):
        page = client.get(f"/leaderboards/?period={period}").content.decode()
        assert page.index(f"@{big.host.username}") < page.index(f"@{small.host.username}")
        assert "140 diamonds" in page
