"""What is the same for everyone is read once a second, not once a page: kept for its time, then
read again; a zero time keeps nothing; many keys load only the ones not kept, in one call."""

from __future__ import annotations

import functools

from api.shared_reads import MOST_ROWS, SharedReads


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_kept_for_its_time_then_read_again() -> None:
    clock, loads = Clock(), [0]
    shared = SharedReads(1.0, clock=clock)

    def read() -> int:
        loads[0] += 1
        return loads[0]

    assert [shared.one("k", read), shared.one("k", read)] == [1, 1]
    clock.now += 1.01
    assert shared.one("k", read) == 2


def test_a_zero_time_keeps_nothing() -> None:
    loads: list[int] = []
    shared = SharedReads(0.0)
    for _ in range(3):
        shared.one("k", lambda: loads.append(1))
    assert len(loads) == 3


def test_many_keys_load_only_what_is_not_kept_in_one_call_and_answer_in_order() -> None:
    clock, asked = Clock(), []
    shared = SharedReads(1.0, clock=clock)

    def load(keys: list[str]) -> list[str]:
        asked.append(keys)
        return [k.upper() for k in keys]

    assert shared.many("kind", ["a", "b"], load) == ["A", "B"]
    assert shared.many("kind", ["c", "a", "c", "b"], load) == ["C", "A", "C", "B"]
    assert asked == [["a", "b"], ["c"]]
    assert shared.many("other", ["a"], load) == ["A"]  # kinds do not mix
    assert asked[-1] == ["a"]


def test_list_answers_count_a_row_per_element_and_the_oldest_go_past_the_rows_kept() -> None:
    # Given answers of a thousand rows each, more than the rows kept at most, and one small answer
    shared = SharedReads(60.0, clock=Clock())
    loads: list[int] = []

    def read(n: int) -> list[int]:
        loads.append(n)
        return [n] * 1000

    shared.one("small", lambda: "s")
    lists = MOST_ROWS // 1000 + 5
    for n in range(lists):
        shared.one(("rows", n), functools.partial(read, n))
    loads.clear()

    # When the oldest and the newest are asked again within their time
    shared.one(("rows", 0), lambda: read(0))
    shared.one(("rows", lists - 1), lambda: read(lists - 1))

    # Then the oldest had gone, taking the small answer before it, and the newest was kept
    assert loads == [0]
    assert shared.one("small", lambda: "read again") == "read again"
