"""What sending a gift reads, kept cheap: a gift is the hottest request HaloBuzz has
(bench/gifts.py).

The room and the sender's standing in it are one query, rendered to SQL once per
process (halobuzz.core.compiled_queries) from the same selectors the room uses. A
batch of gifts (economy.services.gift_batches) runs that query for all its senders
at once.

The catalog is kept in each process for a few seconds. A busy room reads the same
handful of gifts thousands of times a minute, and staff edit the catalog a few times
a month. A save or delete in this process forgets the copy at once (signals wired in
EconomyConfig.ready); other processes see an edit within CATALOG_SECONDS.
Availability (active flag, campaign window, countries) is still decided per send, on
the kept row, by `Gift.is_available_to`.
"""

import threading
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from economy.models import Gift
from economy.selectors.memberships import gift_discount_percent_expression
from halobuzz.core.compiled_queries import CompiledQuery
from streams.models import Stream
from streams.selectors import room as room_selectors

CATALOG_SECONDS = 10

_lock = threading.Lock()
_gifts: dict[int, Gift | None] = {}
_loaded_at = 0.0


def get_gift(*, gift_id: int) -> Gift | None:
    """The gift with this id, or None when there is none."""
    global _loaded_at
    now = time.monotonic()
    with _lock:
        if now - _loaded_at > CATALOG_SECONDS:
            _gifts.clear()
            _loaded_at = now
        if gift_id in _gifts:
            return _gifts[gift_id]
    gift = Gift.objects.filter(pk=gift_id).first()
    with _lock:
        _gifts[gift_id] = gift
    return gift


def forget_catalog(**_signal) -> None:
    """A gift was saved or deleted (signal receiver)."""
    clear_kept_catalog()
    # Another thread of this process may read the old row again before the edit
    # commits; forget once more when it has.
    transaction.on_commit(clear_kept_catalog)


def clear_kept_catalog() -> None:
    with _lock:
        _gifts.clear()


@dataclass(frozen=True)
class GiftRoom:
    stream_id: int
    host_id: int
    is_live: bool
    host_partner_tier: str | None
    # A ban or timeout may be in force: ask streams for the reason.
    sender_may_be_restricted: bool
    sender_gift_discount: int


_GIFT_ROOM = CompiledQuery(
    lambda stream_id, sender_id: (
        Stream.objects.filter(pk=stream_id)
        .annotate(
            host_partner_tier=F("host__partnership__tier"),
            sender_may_be_restricted=room_selectors.may_be_restricted(user=sender_id),
            sender_gift_discount=gift_discount_percent_expression(user=sender_id),
        )
        .values(
            "pk",
            "host_id",
            "status",
            "host_partner_tier",
            "sender_may_be_restricted",
            "sender_gift_discount",
        )
    )
)


def get_gift_room(*, stream_id: int, sender_id: int) -> GiftRoom | None:
    return _gift_room(_GIFT_ROOM.fetch_one(stream_id=stream_id, sender_id=sender_id))


def get_gift_rooms(*, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], GiftRoom]:
    """GiftRoom by (stream id, sender id) for each pair whose stream exists, in one
    query."""
    ordered = list(pairs)
    rows = _GIFT_ROOM.fetch_first_for_each(
        arguments=[
            {"stream_id": stream_id, "sender_id": sender_id} for stream_id, sender_id in ordered
        ]
    )
    return {
        pair: _gift_room(row) for pair, row in zip(ordered, rows, strict=True) if row is not None
    }


def _gift_room(row: dict | None) -> GiftRoom | None:
    if row is None:
        return None
    return GiftRoom(
        stream_id=row["pk"],
        host_id=row["host_id"],
        is_live=row["status"] in Stream.ACTIVE_STATUSES,
        host_partner_tier=row["host_partner_tier"],
        sender_may_be_restricted=bool(row["sender_may_be_restricted"]),
        sender_gift_discount=row["sender_gift_discount"],
    )
