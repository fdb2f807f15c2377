"""Group commit: threads that each have one item to write share the writing.

When a burst of requests in one process each want the same kind of write (gifts to
a busy room), writing them one commit each makes the database's commit, and the
process's statement building, the limit. A `GroupCommit` lets them queue: the first
thread to arrive becomes the leader, takes everything queued (up to `max_batch`),
writes it as one batch on its own database connection, and hands each thread its
outcome. Meanwhile the next requests queue up behind it; when the leader is done it
wakes the first of them to lead the next batch and returns. Nobody leads more than
one batch, so a request waits for at most the batch in progress and its own.

Under light load a batch is the one request that came, written at once: batching
adds nothing a lone request waits for. There is no thread of its own to start or to
stop (and none to lose in a forked worker); leaders are the callers' own threads.

`write_batch(items)` must settle every item: call `item.succeed(result)` or
`item.fail(error)` on each. Items it leaves unsettled, or all of them when it
raises, fail with its error.
"""

import threading
from collections.abc import Callable


class Item:
    """One thread's request: the thread waits on it until it is settled, or until it
    is asked to lead a batch."""

    __slots__ = ("_error", "_lead", "_result", "_settled", "_wake")

    def __init__(self):
        self._wake = threading.Event()
        self._settled = False
        self._lead = False
        self._result = None
        self._error: BaseException | None = None

    def succeed(self, result) -> None:
        self._result = result
        self._settled = True
        self._wake.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._settled = True
        self._wake.set()

    @property
    def settled(self) -> bool:
        return self._settled

    def outcome(self):
        if self._error is not None:
            raise self._error
        return self._result


class GroupCommit:
    def __init__(self, write_batch: Callable[[list], None], *, max_batch: int = 100):
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[Item] = []
        self._leading = False

    def submit(self, item: Item):
        """Write `item` in a batch; returns its result or raises its error."""
        with self._lock:
            self._queue.append(item)
            lead = not self._leading
            if lead:
                self._leading = True
        while not lead:
            item._wake.wait()
            item._wake.clear()
            if item._settled:
                return item.outcome()
            lead = item._lead
        self._lead_one_batch()
        return item.outcome()

    def _lead_one_batch(self) -> None:
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            self._write_batch(batch)
        except BaseException as error:
            for item in batch:
                if not item.settled:
                    item.fail(error)
        else:
            for item in batch:
                if not item.settled:
                    item.fail(RuntimeError("the batch left this item unsettled"))
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        with self._lock:
            if not self._queue:
                self._leading = False
                return
            following = self._queue[0]
        following._lead = True
        following._wake.set()
