"""Group commit (halobuzz.core.group_commit): requests that arrive while a batch is
being written wait and go together in the next one, each thread gets its own
outcome, and a failing batch fails only its own items."""

import threading

import pytest

from halobuzz.core.group_commit import GroupCommit, Item

WAIT_SECONDS = 10


class Request(Item):
    __slots__ = ("value",)

    def __init__(self, value):
        super().__init__()
        self.value = value


class Writer:
    """Doubles each value; the first batch can be held until the test lets it go."""

    def __init__(self, *, hold_first=False):
        self.batches: list[list[int]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        if not hold_first:
            self.release.set()

    def __call__(self, items):
        self.batches.append([item.value for item in items])
        self.started.set()
        assert self.release.wait(WAIT_SECONDS)
        for item in items:
            if item.value < 0:
                item.fail(ValueError(f"negative: {item.value}"))
            else:
                item.succeed(item.value * 2)


def submit_in_threads(batches: GroupCommit, values) -> tuple[list[threading.Thread], dict]:
    outcomes = {}

    def submit(value):
        try:
            outcomes[value] = batches.submit(Request(value))
        except Exception as error:
            outcomes[value] = error

    threads = [threading.Thread(target=submit, args=(value,)) for value in values]
    for thread in threads:
        thread.start()
    return threads, outcomes


def join(threads):
    for thread in threads:
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive(), "a request was never settled"


def wait_for_queue(batches: GroupCommit, length: int) -> None:
    for _ in range(1000):
        with batches._lock:
            if len(batches._queue) >= length:
                return
        threading.Event().wait(0.005)
    raise AssertionError(f"{length} requests never queued")


def test_a_lone_request_is_written_at_once_by_its_own_thread():
    writer = Writer()
    batches = GroupCommit(writer)

    assert batches.submit(Request(21)) == 42
    assert batches.submit(Request(5)) == 10

    assert writer.batches == [[21], [5]]


def test_requests_arriving_during_a_batch_are_written_together_next():
    writer = Writer(hold_first=True)
    batches = GroupCommit(writer)
    first, first_outcome = submit_in_threads(batches, [1])
    assert writer.started.wait(WAIT_SECONDS)

    waiting, outcomes = submit_in_threads(batches, [2, 3, 4, 5])
    wait_for_queue(batches, 4)
    writer.release.set()
    join(first + waiting)

    assert first_outcome == {1: 2}
    assert outcomes == {2: 4, 3: 6, 4: 8, 5: 10}
    assert writer.batches[0] == [1]
    assert sorted(writer.batches[1]) == [2, 3, 4, 5]


def test_batches_hold_at_most_max_batch_and_every_request_is_answered():
    writer = Writer(hold_first=True)
    batches = GroupCommit(writer, max_batch=3)
    first, _ = submit_in_threads(batches, [0])
    assert writer.started.wait(WAIT_SECONDS)

    waiting, outcomes = submit_in_threads(batches, range(1, 8))
    wait_for_queue(batches, 7)
    writer.release.set()
    join(first + waiting)

    assert outcomes == {value: value * 2 for value in range(1, 8)}
    assert [len(batch) for batch in writer.batches] == [1, 3, 3, 1]


def test_each_request_gets_its_own_error():
    batches = GroupCommit(Writer())
    threads, outcomes = submit_in_threads(batches, [3, -1, 4])
    join(threads)

    assert outcomes[3] == 6
    assert outcomes[4] == 8
    assert isinstance(outcomes[-1], ValueError)


def test_a_batch_that_raises_fails_its_own_requests_and_the_next_batch_still_runs():
    calls = []

    def write(items):
        calls.append(len(items))
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        for item in items:
            item.succeed("written")

    batches = GroupCommit(write)

    with pytest.raises(RuntimeError, match="went away"):
        batches.submit(Request(1))
    assert batches.submit(Request(2)) == "written"


def test_a_request_the_batch_forgot_to_settle_fails_instead_of_hanging():
    batches = GroupCommit(lambda items: None)

    with pytest.raises(RuntimeError, match="unsettled"):
        batches.submit(Request(1))
