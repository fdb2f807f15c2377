"""Reads for gifts: the catalog a viewer may send, a sent gift as the API shows it,
and the leaderboards with their people."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from economy import leaderboards
from economy.models import Gift
from economy.services.gifts import SentGift, gift_payload


def list_available_gifts(*, user=None) -> list[Gift]:
    """Active gifts inside their campaign window and offered in the user's country,
    cheapest first within the catalog's order."""
    now = timezone.now()
    gifts = Gift.objects.filter(is_active=True).filter(
        Q(available_from__isnull=True) | Q(available_from__lte=now),
        Q(available_until__isnull=True) | Q(available_until__gt=now),
    )
    country = str(getattr(user, "country", "") or "")
    return [gift for gift in gifts if gift.is_available_to(country=country, at=now)]


def sent_gift_response(sent: SentGift) -> dict:
    """What the API answers for a gift, the same for the first send and any repeat."""
    details = sent.details
    gift = Gift.objects.get(pk=details["gift"])
    return {
        "id": sent.transaction.pk,
        "stream": details["stream"],
        "gift": gift_payload(gift),
        "quantity": details["quantity"],
        "combo": details["combo"],
        "coins_spent": details["coins"],
        "balance": sent.balance,
        "sent_at": sent.transaction.created_at,
    }


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    user: object
    score: int


def _with_people(ranking: list[tuple[int, int]]) -> list[LeaderboardRow]:
    people = get_user_model().objects.in_bulk([user_id for user_id, _score in ranking])
    rows = []
    for user_id, score in ranking:
        if user_id in people:
            rows.append(LeaderboardRow(rank=len(rows) + 1, user=people[user_id], score=score))
    return rows


def list_stream_top_gifters(*, stream_id: int, limit: int = 10) -> list[LeaderboardRow]:
    board = leaderboards.stream_gifters_board(stream_id=stream_id)
    return _with_people(leaderboards.top(board, limit=limit))


def list_creator_top_gifters(*, creator_id: int, period: str, limit: int = 10):
    board = leaderboards.creator_gifters_board(creator_id=creator_id, period=period)
    return _with_people(leaderboards.top(board, limit=limit))


def list_top_earning_creators(*, period: str, limit: int = 10) -> list[LeaderboardRow]:
    board = leaderboards.top_creators_board(period=period)
    return _with_people(leaderboards.top(board, limit=limit))
