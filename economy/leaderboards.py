"""Gift leaderboards: who gave most in a stream and to a creator, and which creators
earned most (docs/architecture.md, "Leaderboards").

The ledger is the truth; a board is a sorted set in Redis built from it when missing
and then kept current by one increment per gift. Increments only touch boards that
have been built (a marker key says so), so a board is never a partial count. A gift
committed while its board is being rebuilt can be missed by both; every board
therefore expires (BOARD_SECONDS) and is rebuilt exact. Without Redis (the embedded
set-up) a board is the ledger query itself, cached for a few seconds.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from redis.exceptions import RedisError

from economy.models import Account, LedgerEntry, LedgerTransaction
from halobuzz.core.redis import get_redis_client, redis_key

DAY = "day"
WEEK = "week"
ALL_TIME = "all"
PERIODS = (DAY, WEEK, ALL_TIME)
# How long a built board lives before it is rebuilt from the ledger.
BOARD_SECONDS = 60 * 60
EMBEDDED_CACHE_SECONDS = 10
logger = logging.getLogger(__name__)
EARNING_KINDS = (LedgerTransaction.Kind.GIFT, LedgerTransaction.Kind.SUBSCRIPTION)

_INCREMENT_IF_BUILT = """
for index, key in ipairs(KEYS) do
  if redis.call('EXISTS', key .. ':built') == 1 then
    redis.call('ZINCRBY', key, ARGV[index * 2 - 1], ARGV[index * 2])
  end
end
return 0
"""
_increment_script = None


@dataclass(frozen=True)
class Board:
    """One leaderboard: its key and how to count it from the ledger."""

    name: str
    # The LedgerEntry queryset of the entries that score, built only when the board
    # is (re)built: counting a gift needs the names alone.
    entries: Callable[[], QuerySet]
    sign: int  # 1 for credits (earnings), -1 for debits (coins given)

    def from_ledger(self) -> dict[int, int]:
        member = "account__owner_id"
        rows = self.entries().values(member).annotate(total=Sum("amount")).order_by()
        return {row[member]: self.sign * row["total"] for row in rows if row["total"]}


def period_start(period: str, *, now: datetime.datetime | None = None):
    """The start (UTC) of the current day or ISO week; None for all time."""
    now = (now or timezone.now()).astimezone(datetime.UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == DAY:
        return midnight
    if period == WEEK:
        return midnight - datetime.timedelta(days=midnight.weekday())
    return None


def _period_label(period: str, *, now=None) -> str:
    start = period_start(period, now=now)
    return "all" if start is None else f"{period}-{start.date().isoformat()}"


def _gifts_given(**filters):
    return LedgerEntry.objects.filter(
        transaction__kind=LedgerTransaction.Kind.GIFT,
        account__kind=Account.Kind.USER_COINS,
        **filters,
    )


def stream_gifters_board(*, stream_id: int) -> Board:
    return Board(
        name=f"stream:{stream_id}:gifters",
        entries=lambda: _gifts_given(
            transaction__reference_type="stream", transaction__reference_id=str(stream_id)
        ),
        sign=-1,
    )


def creator_gifters_board(*, creator_id: int, period: str, now=None) -> Board:
    """Who gave most to one creator. The creator's diamond entries find the gifts
    (indexed by account); the senders' coin entries of those transactions count."""
    start = period_start(period, now=now)

    def entries():
        given = _gifts_given(
            transaction__entries__account__owner_id=creator_id,
            transaction__entries__account__kind=Account.Kind.CREATOR_DIAMONDS,
        )
        return given if start is None else given.filter(transaction__created_at__gte=start)

    return Board(
        name=f"creator:{creator_id}:gifters:{_period_label(period, now=now)}",
        entries=entries,
        sign=-1,
    )


def top_creators_board(*, period: str, now=None) -> Board:
    """Creators by diamonds earned from gifts and subscriptions."""
    start = period_start(period, now=now)

    def entries():
        earned = LedgerEntry.objects.filter(
            account__kind=Account.Kind.CREATOR_DIAMONDS,
            transaction__kind__in=EARNING_KINDS,
            amount__gt=0,
        )
        return earned if start is None else earned.filter(transaction__created_at__gte=start)

    return Board(
        name=f"creators:earnings:{_period_label(period, now=now)}", entries=entries, sign=1
    )


def top(board: Board, *, limit: int = 10) -> list[tuple[int, int]]:
    """[(user id, score)] best first."""
    client = get_redis_client()
    if client is None:
        scores = cache.get_or_set(
            f"leaderboard:{board.name}", board.from_ledger, EMBEDDED_CACHE_SECONDS
        )
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    key = redis_key("leaderboard", board.name)
    try:
        if not client.exists(f"{key}:built"):
            _build(client, key, board.from_ledger())
        rows = client.zrevrange(key, 0, limit - 1, withscores=True)
    except RedisError:
        logger.exception("leaderboard %s: Redis failed, counting from the ledger", board.name)
        scores = board.from_ledger()
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(int(member), int(score)) for member, score in rows]


def _build(client, key: str, scores: dict[int, int]) -> None:
    with client.pipeline(transaction=True) as pipe:
        pipe.delete(key)
        if scores:
            pipe.zadd(key, {str(member): score for member, score in scores.items()})
            pipe.expire(key, BOARD_SECONDS)
        pipe.set(f"{key}:built", 1, ex=BOARD_SECONDS)
        pipe.execute()


@dataclass(frozen=True)
class CountedGift:
    stream_id: int
    sender_id: int
    creator_id: int
    coins: int
    diamonds: int


def count_gift_on_commit(*, gift: CountedGift) -> None:
    """Add a committed gift to the boards it changes (after the caller's commit)."""
    transaction.on_commit(lambda: count_gifts(gifts=[gift]))


def count_gifts(*, gifts: list[CountedGift]) -> None:
    """Add committed gifts to the boards they change, in one Redis call."""
    # The gifts are committed whatever happens here; a board that misses them is
    # rebuilt exact when it expires.
    try:
        _increment_boards(gifts)
    except RedisError:
        logger.exception("Could not count %s gifts on the leaderboards", len(gifts))


def _increment_boards(gifts: list[CountedGift]) -> None:
    client = get_redis_client()
    if client is None:
        # One process: the room's own board should show the gift at once.
        for stream_id in {gift.stream_id for gift in gifts}:
            cache.delete(f"leaderboard:{stream_gifters_board(stream_id=stream_id).name}")
        return
    # {(board, member): score to add}: a batch of gifts is one increment per pair.
    increments: dict[tuple[str, int], int] = defaultdict(int)
    for gift in gifts:
        increments[stream_gifters_board(stream_id=gift.stream_id).name, gift.sender_id] += (
            gift.coins
        )
        for period in PERIODS:
            board = creator_gifters_board(creator_id=gift.creator_id, period=period)
            increments[board.name, gift.sender_id] += gift.coins
        for period in (DAY, WEEK):
            increments[top_creators_board(period=period).name, gift.creator_id] += gift.diamonds
    global _increment_script
    if _increment_script is None:
        _increment_script = client.register_script(_INCREMENT_IF_BUILT)
    args = []
    for (_name, member), score in increments.items():
        args += [score, member]
    _increment_script(
        keys=[redis_key("leaderboard", name) for name, _member in increments],
        args=args,
        client=client,
    )


def forget(board: Board) -> None:
    """Drop a board so the next read rebuilds it (tests, staff corrections)."""
    client = get_redis_client()
    if client is None:
        cache.delete(f"leaderboard:{board.name}")
        return
    key = redis_key("leaderboard", board.name)
    client.delete(key, f"{key}:built")
