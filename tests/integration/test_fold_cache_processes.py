"""Two processes toggling one like, each with its own cache of folded state, on one SQLite log.

Each decides against the state it cached plus what the log gained since; when the other appended
between its read and its append, the expected version refuses the append and it decides again. If
either ever decided on state that skipped the other's events, the stream would hold two likes (or
two unlikes) in a row.
"""

from __future__ import annotations

import itertools
import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from commands import streams
from commands.aggregates import VIDEO_LIKE
from commands.context import Ports, Request
from commands.folds import FoldCache
from commands.handling import execute, load
from domain.actors import Actor
from domain.engagement import likes
from eventstore.codec import EventCodec
from eventstore.errors import WrongExpectedVersion
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore

USER, VIDEO = "u-1", "v-1"
STREAM = streams.video_like(USER, VIDEO)
TOGGLES = 1000


class ConflictCountingStore(SQLiteEventStore):
    conflicts = 0

    def append(self, stream: str, events: Any, expected: Any) -> Any:
        try:
            return super().append(stream, events, expected)
        except WrongExpectedVersion:
            self.conflicts += 1
            raise


def decide(like: bool) -> Any:
    def decided(state: likes.State) -> list[likes.Event]:
        if like and not state.liked:
            return [likes.VideoLiked(user_id=USER, video_id=VIDEO)]
        if not like and state.liked:
            return [likes.VideoUnliked(user_id=USER, video_id=VIDEO)]
        return []

    return decided


def toggler(folder: str, start: Barrier, results: Any) -> None:
    """One process: likes, unlikes, likes… as fast as it can; reports its conflicts and final state."""
    keys = SQLiteKeyStore(Path(folder) / "keys.db")
    store = ConflictCountingStore(Path(folder) / "events.db", sync="normal")
    ports = Ports(store=store, codec=EventCodec(Sealer(keys)), keys=keys, folds=FoldCache())
    start.wait()
    for like in itertools.islice(itertools.cycle([True, False]), TOGGLES):
        execute(ports, Request(Actor(USER)), STREAM, VIDEO_LIKE, decide(like))
    fresh = Ports(store=store, codec=ports.codec, keys=keys, folds=FoldCache(0))
    results.put((store.conflicts, load(ports, STREAM, VIDEO_LIKE) == load(fresh, STREAM, VIDEO_LIKE)))
    store.close()
    keys.close()


def test_two_processes_with_their_own_caches_never_decide_on_stale_state(tmp_path: Path) -> None:
    # Given a log both processes open, and a like stream both toggle
    SQLiteEventStore(tmp_path / "events.db").close()
    SQLiteKeyStore(tmp_path / "keys.db").close()
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(2), spawn.Queue()
    workers = [spawn.Process(target=toggler, args=(str(tmp_path), start, results)) for _ in range(2)]

    # When they toggle at the same time
    for worker in workers:
        worker.start()
    reported = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    # Then the stream alternates strictly, the appends did conflict, and each cache matches the log
    store = SQLiteEventStore(tmp_path / "events.db")
    try:
        types = [e.type for e in store.read_stream(STREAM)]
    finally:
        store.close()
    assert types[0] == "VideoLiked"
    assert all(a != b for a, b in itertools.pairwise(types))
    assert sum(conflicts for conflicts, _ in reported) > 0
    assert all(matches for _, matches in reported)
