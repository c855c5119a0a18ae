"""What is the same for everyone is read once a second, not once a page: kept for its time, then
read again; a zero time keeps nothing; many keys load only the ones not kept, in one call."""

from __future__ import annotations

from api.shared_reads import SharedReads


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
