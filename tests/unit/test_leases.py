"""The process managers' lease: one holder runs the work, the others stand by, and the work never
outlives a lease its holder could no longer renew (``services.leases``), on the embedded store."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from read_models.errors import ReadStoreUnavailable
from read_models.leases import LEASES
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from services.leases import MANAGERS, Lease, Leased, holder_of

TTL_S = 3


class Work:
    """Stands for the process managers: counts its starts and stops. ``lingers``: a stop leaves its
    threads finishing what they were doing (``alive``) until ``finish``."""

    def __init__(self) -> None:
        self.running = False
        self.lingers = False
        self._alive = False

    @property
    def alive(self) -> bool:
        return self._alive

    def start(self) -> None:
        self.running = self._alive = True

    def stop(self) -> None:
        self.running = False
        self._alive = self.lingers

    def finish(self) -> None:
        self._alive = False


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Unreachable:
    """The read store, until ``cut`` is set: then every conditional write fails as an outage does."""

    def __init__(self, store: ReadStore) -> None:
        self._store = store
        self.cut = False

    def __getattr__(self, name: str) -> Any:
        if self.cut:
            raise ReadStoreUnavailable(["127.0.0.1"], "connection refused")
        return getattr(self._store, name)


class Hanging:
    """The read store, whose lease asks wait on ``hang`` (set: they pass) and say when they came."""

    def __init__(self, store: ReadStore) -> None:
        self._store = store
        self.hang = threading.Event()
        self.hang.set()
        self.asked = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def replace_if(self, *args: Any, **kwargs: Any) -> bool:
        self.asked.set()
        self.hang.wait()
        return self._store.replace_if(*args, **kwargs)


class Slow:
    """The read store, whose lease asks take ``seconds`` of the clock."""

    def __init__(self, store: ReadStore, clock: Clock, seconds: float) -> None:
        self._store, self._clock, self._seconds = store, clock, seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def insert_if_absent(self, *args: Any, **kwargs: Any) -> bool:
        self._clock.now += self._seconds
        return self._store.insert_if_absent(*args, **kwargs)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    opened = SQLiteReadStore(tmp_path / "read.db")
    opened.create_table(LEASES)
    yield opened
    opened.close()


def leased(store: Any, holder: str, clock: Clock | None = None) -> tuple[Leased, list[Work]]:
    made: list[Work] = []

    def make() -> list[Work]:
        made.append(Work())
        return made[-1:]

    return Leased(Lease(store, MANAGERS, TTL_S, holder), make, clock=clock or Clock()), made


def test_the_first_to_ask_runs_the_work_and_the_second_stands_by(store: SQLiteReadStore) -> None:
    # Given two processes that may run the process managers
    first, first_work = leased(store, "first")
    second, second_work = leased(store, "second")
    # When each asks for the lease, and asks again a renewal later
    for _ in range(2):
        first.step()
        second.step()
    # Then the first holds it and runs one copy of the work; the second built none
    assert holder_of(store, MANAGERS) == "first"
    assert first.running
    assert [w.running for w in first_work] == [True]
    assert not second.running
    assert second_work == []


def test_a_standby_takes_over_once_the_holders_lease_expires(store: SQLiteReadStore) -> None:
    # Given a holder that stopped renewing (killed), and a standby
    holder, _ = leased(store, "killed")
    standby, work = leased(store, "standby")
    holder.step()
    standby.step()
    assert not standby.running
    # When its lease has outlived its time to live
    time.sleep(TTL_S + 0.2)
    standby.step()
    # Then the standby holds it and runs the work
    assert holder_of(store, MANAGERS) == "standby"
    assert [w.running for w in work] == [True]


def test_a_holder_that_cannot_renew_stops_its_work_a_renewal_before_the_lease_could_expire(
    store: SQLiteReadStore,
) -> None:
    # Given a holder running the work, then cut off from the store
    clock = Clock()
    reachable = Unreachable(store)
    holder, work = leased(reachable, "cut-off", clock)
    holder.step()
    reachable.cut = True
    # When it fails to renew a renewal later
    clock.now += holder.interval_s
    holder.step()
    # Then the work still runs: the lease has two renewals left
    assert [w.running for w in work] == [True]
    # When it fails again, one renewal before its lease could expire
    clock.now += holder.interval_s
    holder.step()
    # Then the work has stopped, before anyone could have taken the lease
    assert [w.running for w in work] == [False]
    # And once the store answers again, the holder takes the lease back and runs fresh work
    reachable.cut = False
    clock.now += holder.interval_s
    holder.step()
    assert [w.running for w in work] == [False, True]


def test_work_still_finishing_after_its_stop_is_not_started_again_beside_itself(
    store: SQLiteReadStore,
) -> None:
    # Given a holder whose work was stopped (a renewal missed) but whose threads are still finishing
    clock = Clock()
    holder, work = leased(store, "slow-to-stop", clock)
    holder.step()
    work[0].lingers = True
    clock.now += 2 * holder.interval_s
    holder.expire_if_due()
    assert not holder.running
    assert work[0].alive
    # When it asks again, its lease row still there to renew
    clock.now += holder.interval_s
    holder.step()
    # Then it builds no second copy of the work beside the one still finishing
    assert len(work) == 1
    assert not holder.running
    # And once that copy has finished, it takes the lease and runs fresh work
    work[0].finish()
    holder.step()
    assert [w.running for w in work] == [False, True]
    assert holder_of(store, MANAGERS) == "slow-to-stop"


def test_an_answer_coming_after_the_watchdog_stopped_the_work_starts_none_beside_it(
    store: SQLiteReadStore,
) -> None:
    # Given a holder whose next ask hangs, and whose work the watchdog stops meanwhile, its threads
    # still finishing
    clock = Clock()
    hanging = Hanging(store)
    holder, work = leased(hanging, "raced", clock)
    holder.step()
    work[0].lingers = True
    hanging.asked.clear()
    hanging.hang.clear()
    clock.now += 1.5 * holder.interval_s
    asking = threading.Thread(target=holder.step)
    asking.start()
    assert hanging.asked.wait(5)
    clock.now += 0.5 * holder.interval_s
    holder.expire_if_due()
    assert not holder.running
    # When the ask comes back renewed, in time to count on
    hanging.hang.set()
    asking.join(5)
    # Then no second copy was started beside the one still finishing
    assert len(work) == 1
    assert not holder.running


class Mute(Work):
    """Work that cannot say whether it still runs."""

    @property
    def alive(self) -> bool:
        raise RuntimeError("no answer")


def test_work_that_cannot_say_whether_it_still_runs_is_taken_as_stopped(store: SQLiteReadStore) -> None:
    # Given a holder whose stopped work cannot say whether its threads still run
    clock = Clock()
    made: list[Work] = []

    def make() -> list[Work]:
        made.append(Mute())
        return made[-1:]

    holder = Leased(Lease(store, MANAGERS, TTL_S, "mute"), make, clock=clock)
    holder.step()
    clock.now += 2 * holder.interval_s
    holder.expire_if_due()
    # When it asks again
    clock.now += holder.interval_s
    holder.step()
    # Then it takes the lease back and runs fresh work, rather than standing by for good
    assert [w.running for w in made] == [False, True]


def test_a_holder_told_the_lease_is_anothers_stops_its_work_at_once(store: SQLiteReadStore) -> None:
    # Given a holder running the work, whose lease another process took (it stalled past its TTL)
    holder, work = leased(store, "stalled")
    holder.step()
    assert store.delete_if_present(LEASES, {"name": MANAGERS}) is True
    assert store.insert_if_absent(LEASES, {"name": MANAGERS, "holder": "other"}, ttl=TTL_S) is True
    # When it next asks
    holder.step()
    # Then it stops the work, and the lease stays the other's
    assert [w.running for w in work] == [False]
    assert holder_of(store, MANAGERS) == "other"


def test_stopping_gives_the_lease_up_so_a_standby_takes_it_at_once(store: SQLiteReadStore) -> None:
    # Given a holder and a standby
    holder, work = leased(store, "leaving")
    standby, standby_work = leased(store, "standby")
    holder.step()
    standby.step()
    # When the holder stops (SIGTERM)
    holder.stop()
    # Then its work stopped and the standby takes the lease on its next ask, without waiting for it
    assert [w.running for w in work] == [False]
    standby.step()
    assert holder_of(store, MANAGERS) == "standby"
    assert [w.running for w in standby_work] == [True]


def test_work_that_fails_to_start_gives_the_lease_up_for_a_standby(store: SQLiteReadStore) -> None:
    # Given a process whose work cannot start (its broker is down), and a standby
    def broken() -> list[Work]:
        raise ConnectionError("broker unreachable")

    failing = Leased(Lease(store, MANAGERS, TTL_S, "broken"), broken, clock=Clock())
    standby, work = leased(store, "standby")
    # When the failing process takes the lease
    failing.step()
    # Then it runs nothing and gave the lease up, so the standby takes it on its next ask
    assert not failing.running
    assert holder_of(store, MANAGERS) is None
    standby.step()
    assert [w.running for w in work] == [True]


def test_an_answer_nobody_could_read_counts_as_no_answer(store: SQLiteReadStore) -> None:
    """A driver error of a kind the store cannot name (a contended transaction's unknown outcome)
    must not end the asking: the work then outlived its lease in a thread that was gone."""
    clock = Clock()
    holder, work = leased(store, "puzzled", clock)
    holder.step()
    original = Lease.take

    def unreadable(self: Lease) -> bool:
        raise RuntimeError("Error from server: code=1700")

    Lease.take = unreadable  # type: ignore[method-assign]
    try:
        clock.now += holder.interval_s
        holder.step()  # does not raise
        assert [w.running for w in work] == [True]
        clock.now += holder.interval_s
        holder.step()
        assert [w.running for w in work] == [False]
    finally:
        Lease.take = original  # type: ignore[method-assign]


def test_the_watchdog_stops_the_work_while_an_ask_hangs(store: SQLiteReadStore) -> None:
    # Given a holder running the work, whose next ask hangs on the store
    clock = Clock()
    hanging = Hanging(store)
    holder, work = leased(hanging, "hung", clock)
    holder.step()
    hanging.hang.clear()
    asking = threading.Thread(target=holder.step)
    asking.start()
    assert hanging.asked.wait(5)
    # When the lease comes within a renewal of expiring while the ask still hangs
    clock.now += 2 * holder.interval_s
    holder.expire_if_due()
    # Then the work has stopped, without waiting for the answer
    assert asking.is_alive()
    assert [w.running for w in work] == [False]
    hanging.hang.set()
    asking.join(5)


def test_an_answer_too_late_to_count_on_starts_nothing(store: SQLiteReadStore) -> None:
    # Given a store whose answer comes back when the lease it took is already due
    clock = Clock()
    slow = Slow(store, clock, seconds=2 * TTL_S / 3)
    holder, work = leased(slow, "late", clock)
    # When it asks
    holder.step()
    # Then no work was started on that answer
    assert work == []


def test_a_report_that_fails_does_not_stop_the_asking(store: SQLiteReadStore) -> None:
    def broken(held: bool) -> None:
        raise BrokenPipeError("stdout closed")

    holder = Leased(Lease(store, MANAGERS, TTL_S, "quiet"), lambda: [Work()], on_change=broken, clock=Clock())
    holder.step()
    assert holder.running


def test_a_lease_whose_write_did_not_land_is_not_said_taken(store: SQLiteReadStore) -> None:
    """Another process, its clock a minute ahead, gave the lease up: a write stamped now lands under
    that delete, so taking it must say no rather than hold a lease nobody can see."""
    ahead_us = (time.time_ns() // 1000) + 60_000_000
    store.delete(LEASES, {"name": MANAGERS}, timestamp=ahead_us)
    assert Lease(store, MANAGERS, TTL_S, "behind").take() is False
    assert holder_of(store, MANAGERS) is None


def test_a_lease_lives_at_least_three_renewal_periods(store: SQLiteReadStore) -> None:
    with pytest.raises(ValueError, match="at least 3 s"):
        Lease(store, MANAGERS, 2)
