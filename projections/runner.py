"""Runs projectors over the log: one subscription, each event decoded once and handed to every
projector that handles it, progress recorded, a failing projector stopped loudly and alone.

A ``Stream`` reads the log for its lanes (``projections.lane``, one per projector and build) from the
lowest of their checkpoints. A commit is due at a checkpoint marker of the subscription (the log went
quiet: a wake-up's worth of events), after ``FLUSH_EVERY`` events or after ``FLUSH_AFTER_S``. It sends
every lane's rows, wave by wave, and then every lane's checkpoint, in one ``write_all``: one
transaction on SQLite, so a crash replays at most one batch onto rows stamped to absorb it; on
Cassandra each write is idempotent and the checkpoints land after the rows they cover. There a commit
travels while the next events are applied, and lands before the next is sent: until then, the
batches read its rows from memory (``Batch.flushed``), never back from the store.

A ``Runner`` is a stream of one projector: rebuilds and parity checks run a projector alone.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from eventstore.codec import EventCodec
from eventstore.envelope import Checkpoint, EventFilter, RecordedEvent
from eventstore.port import EventStore, Subscription
from projections.lane import TRANSIENT, Lane, ProjectorFailed, erases
from projections.partition import WHOLE, Partition
from projections.projector import Projector
from read_models import live
from read_models import projection_state as states
from read_models.errors import MissingTable, RetryableError
from read_models.live import Build
from read_models.port import ReadStore, TableWrite

__all__ = ["TRANSIENT", "WHOLE", "Partition", "ProjectorFailed", "Runner", "Stream", "erases"]

FLUSH_EVERY = 2000
FLUSH_AFTER_S = 1.0
#: Expired rows and tombstones are dropped at every start, after an erasure's batch, and this often
#: in between, so the tables do not grow for as long as the process lives without an erasure.
DROP_TOMBSTONES_EVERY_S = 600.0


class CommitLost(RetryableError):
    """A commit sent while the stream went on applying events failed: its rows are pending nowhere
    any more, so the run ends and the next starts again from the checkpoints."""


class Stream:
    def __init__(
        self,
        lanes: Iterable[Lane],
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        types: Iterable[str] = (),
        after: int | None = None,
        stay_open: bool = False,
        on_leave: Callable[[Lane], None] | None = None,
        on_progress: Callable[[int], None] | None = None,
        overlap: bool | None = None,
    ) -> None:
        """``types``: the events to read (default: what the lanes handle; a stream that lanes may
        join later names theirs too). ``after``: where the log is read from before the first run
        (default: the lowest checkpoint). ``stay_open``: keep reading with no lane left, for lanes
        that ``join`` later. ``on_leave`` hears of each lane that failed or was retired. ``overlap``: send
        each commit while the next events are applied (default: on every store but SQLite)."""
        self._lanes = list(lanes)
        #: The lanes by the event types they handle, so an event meets only the lanes it concerns.
        self._by_type: dict[str, list[Lane]] = {}
        self._events, self._codec, self._store = events, codec, store
        #: Decodes the events of the batch being applied: each person's key is looked up once a batch.
        self._decoding = codec.for_batch()
        self._types = tuple(sorted(set(types).union(*(lane.handles for lane in self._lanes))))
        self._stay_open = stay_open
        self._on_leave = on_leave
        self._on_progress = on_progress
        self._joining: list[Lane] = []
        self._join_lock = threading.Lock()
        self._stopped = threading.Event()
        self._subscription: Subscription | None = None
        #: On Cassandra a commit travels while the next events are applied, one commit on its way
        #: at a time: its round trips no longer hold up every event behind them. SQLite commits in
        #: this process, in one transaction: there is nothing to overlap.
        self._overlap = getattr(store, "engine", None) != "sqlite" if overlap is None else overlap
        self._sender: ThreadPoolExecutor | None = None
        self._flight: Future[None] | None = None
        #: How far the stream has read: lanes catching up on their own chase it, then join.
        self.position = after if after is not None else -1

    @property
    def lanes(self) -> tuple[Lane, ...]:
        return tuple(self._lanes)

    def join(self, lane: Lane) -> None:
        """Adds a lane (from any thread): the stream reads again from the lowest checkpoint, the
        lanes ahead of it skipping what they have seen, so it joins within ``JOIN_GAP`` events'
        time (``projections.supervisor``) whether or not new events come."""
        with self._join_lock:
            self._joining.append(lane)
            subscription = self._subscription
        if subscription is not None:
            subscription.stop()

    def run(self, *, until: int | None = None) -> None:
        """Reads until stopped, or with ``until`` up to and including that position. Each run starts
        from the lanes' committed checkpoints, forgetting anything uncommitted; a lane that joins
        ends the run, to start the next with it. It returns once its last commit has landed."""
        try:
            self._run(until)
            self._land()
        finally:
            self._abandon()

    def _run(self, until: int | None) -> None:
        with self._join_lock:
            joining, self._joining = self._joining, []
        self._lanes.extend(joining)
        self._index()
        joined = bool(joining)
        for lane in self._lanes:
            lane.prepare()
        start = min((lane.position for lane in self._lanes), default=None)
        if start is None:
            start = self.position if self.position >= 0 else self._events.head_position()
        self.position = start
        if until is not None and start >= until:
            return
        subscription = self._events.subscribe(
            after=start, filter=EventFilter(types=self._types), checkpoints=True
        )
        with self._join_lock:
            self._subscription = subscription
        # Dropped and purged on every start too (a run may have stopped between an erasure's commit
        # and its purge), but for a lane joining: nothing was erased since.
        self._commit(states.RUNNING, purge=not joined)
        try:
            self._follow(subscription, until)
        finally:
            with self._join_lock:
                self._subscription = None
            subscription.stop()
        self._commit(states.RUNNING if self._joining and not self._stopped.is_set() else states.STOPPED)

    def _follow(self, subscription: Subscription, until: int | None) -> None:
        pending, last_flush = 0, time.monotonic()
        last_check = last_drop = last_flush
        for item in subscription:
            if (until is not None and item.position > until) or self._joining:
                return
            now = time.monotonic()
            if now - last_check > live.CACHE_S:
                last_check = now  # before applying: after a quiet spell, old tables may be gone
                self._retire()
            if isinstance(item, RecordedEvent):
                pending += self._offer(item)
            self.position = item.position
            now = time.monotonic()
            if isinstance(item, Checkpoint) or pending >= FLUSH_EVERY or now - last_flush > FLUSH_AFTER_S:
                drop = now - last_drop > DROP_TOMBSTONES_EVERY_S
                self._commit(states.RUNNING, drop=drop)
                pending, last_flush = 0, now
                last_drop = now if drop else last_drop
            if self._stopped.is_set() or (until is not None and self.position >= until):
                return
            if not (self._lanes or self._stay_open):
                return

    def stop(self) -> None:
        self._stopped.set()
        if self._subscription is not None:
            self._subscription.stop()

    def _offer(self, record: RecordedEvent) -> int:
        """Decodes the event once for every lane that wants it; returns how many took it."""
        takers = [lane for lane in self._by_type.get(record.type, ()) if record.position > lane.position]
        if not takers:
            return 0
        try:
            decoded = self._decoding.decode(record)
        except TRANSIENT:
            raise
        except Exception as exc:  # an event no projector can read: each that needs it stops on it
            for lane in takers:
                lane.fail(record, exc)
        else:
            for lane in takers:
                lane.apply(decoded, record)
            if erases(decoded.event):
                self._decoding = self._codec.for_batch()  # no key outlives the erasure that passes
        if any(lane.failure is not None or lane.retired for lane in takers):
            self._commit(states.RUNNING)
        return 1

    def _retire(self) -> None:
        """Lets go of the lanes whose build a rebuild has replaced, writing nothing more for them."""
        watching = [lane for lane in self._lanes if lane.watches_live]
        if watching:
            builds = live.live_builds(self._store, [lane.projector.name for lane in watching])
            for lane, build in zip(watching, builds, strict=True):
                lane.see_live(build)
        retired = [lane for lane in self._lanes if lane.retired]
        if retired:
            self._leave(retired)

    def _leave(self, lanes: Sequence[Lane]) -> None:
        for lane in lanes:
            self._lanes.remove(lane)
            self._index()
            if self._on_leave is not None:
                self._on_leave(lane)

    def _index(self) -> None:
        self._by_type = {}
        for lane in self._lanes:
            for handled in lane.handles:
                self._by_type.setdefault(handled, []).append(lane)

    def _commit(self, status: str, *, drop: bool = False, purge: bool = False) -> None:
        """Every lane's rows, wave after wave, then every lane's checkpoint: one ``write_all``.
        Lanes that failed leave the stream once their error is recorded. After an erasure (or with
        ``purge``) the lanes' tombstones are dropped and the store purged; with ``drop``, dropped."""
        self._land()  # outside the retry below: a commit lost on its way is never written over
        self._decoding = self._codec.for_batch()  # the keys found for the batch go with it
        try:
            self._write(status)
        except MissingTable:
            # A rebuild dropped the tables of a build it replaced, before this stream noticed.
            if all(lane.is_live() for lane in self._lanes):
                raise
            self._write(status)
        erased = [lane for lane in self._lanes if lane.erased]
        if drop or purge or erased:
            self._land()  # tombstones are dropped up to checkpoints that must have landed
        for lane in self._lanes if (drop or purge) else erased:
            lane.drop_tombstones()
            lane.erased = False
        if purge or erased:
            self._store.purge()
        gone = [lane for lane in self._lanes if lane.failure is not None or lane.retired]
        if gone:
            self._leave(gone)
        if self._on_progress is not None:
            self._on_progress(self.position)

    def _write(self, status: str) -> None:
        waves: list[list[TableWrite]] = []
        checkpoints: list[TableWrite] = []
        writing = [lane for lane in self._lanes if not lane.retired]
        for lane in writing:
            lane.passed(self.position)  # every event up to here that it handles was offered to it
            rows, checkpoint = lane.writes(status)
            for index, wave in enumerate(rows):
                if index == len(waves):
                    waves.append([])
                waves[index].extend(wave)
            if checkpoint is not None:
                checkpoints.append(checkpoint)
        if checkpoints:
            self._send([wave for wave in waves if wave] + [checkpoints])
        for lane in writing:
            lane.committed(landing=self._flight is not None)

    def _send(self, waves: list[list[TableWrite]]) -> None:
        if not self._overlap:
            self._store.write_all(waves)
            return
        if self._sender is None:
            self._sender = ThreadPoolExecutor(1, thread_name_prefix="commits")
        self._flight = self._sender.submit(self._store.write_all, waves)

    def _land(self) -> None:
        """Waits for the commit on its way. If it failed, the run ends: a store failure to be
        retried from the checkpoints, or a table a rebuild dropped (``CommitLost``; or, when every
        lane is still live, the missing table itself, as a commit made in place would raise)."""
        flight, self._flight = self._flight, None
        if flight is None:
            return
        try:
            flight.result()
        except MissingTable as exc:
            if all(lane.is_live() for lane in self._lanes):
                raise
            raise CommitLost(f"a commit met a table a rebuild dropped: {exc}") from exc
        for lane in self._lanes:
            lane.landed()

    def _abandon(self) -> None:
        """Lets a commit still on its way finish, whatever comes of it, before the run returns or
        raises: the next run reads the checkpoints it may write."""
        flight, self._flight = self._flight, None
        if flight is not None:
            flight.exception()
        if self._sender is not None:
            self._sender.shutdown()
            self._sender = None


class Runner:
    """One projector over one build: a stream of one lane. With ``watch_live``, a runner whose build
    a rebuild has replaced lets go within about ``live.CACHE_S`` of its next event, writing nothing
    more (the state comes back ``RETIRED``). A ``fresh`` runner starts on tables just created empty
    (a rebuild), so it reads no row back."""

    def __init__(
        self,
        projector: Projector,
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        build: Build,
        partition: Partition = WHOLE,
        watch_live: bool = False,
        fresh: bool = False,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.projector = projector
        self.build = build
        self._lane = Lane(
            projector, store=store, build=build, partition=partition, watch_live=watch_live, fresh=fresh
        )
        self.name = self._lane.name
        self._stream = Stream([self._lane], events=events, codec=codec, store=store, on_progress=on_progress)

    def prepare(self) -> states.ProjectionState:
        return self._lane.prepare()

    def run(self, *, until: int | None = None) -> states.ProjectionState:
        """Applies events until stopped, or with ``until`` up to and including that position; raises
        ``ProjectorFailed`` when the projector raised."""
        self._stream.run(until=until)
        if self._lane.failure is not None:
            raise self._lane.failure
        if self._lane.retired:
            return dataclasses.replace(self._lane.state, status=states.RETIRED)
        return self._lane.state

    def stop(self) -> None:
        self._stream.stop()
