"""Verifies the whole log in one pass: every stream's chain, and the log chain against checkpoints.

It reads through the port (``read_all``), so it works on any event store. Memory: one hash per
stream, plus what one checkpoint recorded (at most ``checkpoints.MAX_EVENTS`` events).

Detection rests on the log chain and the checkpoint's signature; what it says changed comes from the
fingerprints each checkpoint recorded for the events since the one before.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Sequence

from eventstore.chain import GENESIS, ChainBreak, ChainVerifier, log_link
from eventstore.checkpoints import AuditCheckpoint, fingerprint
from eventstore.envelope import RecordedEvent


@dataclasses.dataclass
class _Interval:
    """The log's events after one checkpoint up to the next, set against what the next recorded."""

    cp: AuditCheckpoint
    seen: set[tuple[str, int]] = dataclasses.field(default_factory=set)

    def observe(self, e: RecordedEvent, found: _Found) -> None:
        recorded = self.cp.streams.get(e.stream)
        expected = recorded.expected(e.version) if recorded else None
        if expected is None:
            found.unexpected.append((e, self.cp))
            return
        self.seen.add((e.stream, e.version))
        position, print_ = expected
        if print_ != fingerprint(e):
            found.rewritten.append((e, self.cp))
        elif position != e.position:
            found.moved.append((e, position, self.cp))

    def lost(self) -> Iterator[tuple[str, int]]:
        for stream, recorded in self.cp.streams.items():
            yield from ((stream, v) for v in recorded.versions() if (stream, v) not in self.seen)


@dataclasses.dataclass
class _Found:
    """Differences between the log and its checkpoints, kept until the whole log has been read."""

    unmatched: AuditCheckpoint | None = None
    lost: list[tuple[str, int, AuditCheckpoint]] = dataclasses.field(default_factory=list)
    rewritten: list[tuple[RecordedEvent, AuditCheckpoint]] = dataclasses.field(default_factory=list)
    moved: list[tuple[RecordedEvent, int, AuditCheckpoint]] = dataclasses.field(default_factory=list)
    unexpected: list[tuple[RecordedEvent, AuditCheckpoint]] = dataclasses.field(default_factory=list)


class LogAuditor:
    """Feed it the log in global order (``check``), then ask what changed (``finish``)."""

    def __init__(self, checkpoints: Sequence[AuditCheckpoint]) -> None:
        self.streams = ChainVerifier()
        self.breaks: list[ChainBreak] = []
        self.uncovered = 0
        self._checkpoints = iter(checkpoints)
        self._current = self._next_interval()
        self._chain = GENESIS
        self._found = _Found()

    def check(self, e: RecordedEvent) -> None:
        self.breaks += self.streams.check(e)
        while self._current and e.position > self._current.cp.position:
            self._close()
        self._chain = log_link(self._chain, e)
        if self._current:
            self._current.observe(e, self._found)
        else:
            self.uncovered += 1

    def finish(self) -> list[str]:
        """What differs from the checkpoints, one sentence each; empty when nothing does."""
        while self._current:
            self._close()
        found = self._found
        head = [f"the log no longer matches {found.unmatched.label()}"] if found.unmatched else []
        unexpected = [
            f"event at position {e.position:,} ({e.stream} v{e.version}) was not in the log "
            f"when checkpoint {cp.seq} was made"
            for e, cp in found.unexpected
        ]
        return [*head, *self._lost(), *_rewritten(found.rewritten), *_moved(found.moved), *unexpected]

    def _next_interval(self) -> _Interval | None:
        cp = next(self._checkpoints, None)
        return _Interval(cp) if cp else None

    def _close(self) -> None:
        """The log chain up to a checkpoint's position must be the one it signed."""
        assert self._current is not None
        cp = self._current.cp
        if self._chain != cp.chain and self._found.unmatched is None:
            self._found.unmatched = cp
        self._found.lost += [(stream, v, cp) for stream, v in self._current.lost()]
        self._current = self._next_interval()

    def _lost(self) -> Iterator[str]:
        """A stream with no event left is missing; otherwise its lost versions, by checkpoint."""
        by_stream = sorted(self._found.lost, key=lambda lost: lost[0])
        for stream, group in itertools.groupby(by_stream, lambda lost: lost[0]):
            losses = list(group)
            versions = [v for _, v, _ in losses]
            if not self.streams.has_stream(stream):
                recorded = _versions(min(versions), max(versions))
                yield f"stream {stream} is missing ({losses[-1][2].label()} recorded {recorded})"
                continue
            for _, runs in itertools.groupby(losses, lambda lost: lost[2].seq):
                run = list(runs)
                for lo, hi in _runs(v for _, v, _ in run):
                    yield f"stream {stream} lost {_versions(lo, hi)} since {run[0][2].label()}"


def _rewritten(found: list[tuple[RecordedEvent, AuditCheckpoint]]) -> Iterator[str]:
    """The first changed event of a stream is the rewritten one; after it, the stream's chain had
    to be re-hashed to hide the change, so later events differ too."""
    by_stream = sorted(found, key=lambda f: (f[0].stream, f[0].version))
    for stream, group in itertools.groupby(by_stream, lambda f: f[0].stream):
        (first, cp), *later = group
        where = f"event at position {first.position:,} ({stream} v{first.version})"
        yield f"{where} was rewritten since checkpoint {cp.seq}"
        if later:
            span = f"v{later[0][0].version}..v{later[-1][0].version}"
            yield f"{len(later)} later events of {stream} ({span}) were re-hashed after it"


def _moved(found: list[tuple[RecordedEvent, int, AuditCheckpoint]]) -> Iterator[str]:
    """Two events that took each other's places are a swap; anything else a move."""
    by_position = {e.position: (e, was) for e, was, _ in found}
    told: set[int] = set()
    for e, was, cp in found:
        if e.position in told:
            continue
        other = by_position.get(was)
        if other and other[1] == e.position:
            told |= {e.position, was}
            a, b = sorted([e, other[0]], key=lambda x: x.position)
            yield (
                f"events at positions {a.position:,} and {b.position:,} are in a different order "
                f"({a.stream} v{a.version} and {b.stream} v{b.version} swapped since checkpoint {cp.seq})"
            )
        else:
            moved = f"moved from position {was:,} to {e.position:,}"
            yield f"event {e.stream} v{e.version} {moved} since checkpoint {cp.seq}"


def _runs(versions: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Versions as runs of consecutive ones: ``7, 8, 9, 12`` → ``(7, 9), (12, 12)``."""
    for _, run in itertools.groupby(enumerate(sorted(versions)), lambda iv: iv[1] - iv[0]):
        values = [v for _, v in run]
        yield values[0], values[-1]


def _versions(lo: int, hi: int) -> str:
    return f"version {lo}" if lo == hi else f"versions {lo}..{hi}"
