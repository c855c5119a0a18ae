"""Where the ranking model keeps what it learned: a small port, so the same model code runs against a
projection's table in production and against a dictionary in the benchmark and the tests.

State is a set of small values keyed by ``(kind, key)``: records (a few dozen named numbers, such as a
person's recent videos with their weights, or a video's co-engaged neighbours) and dense vectors (a
video's content features). An event touches a handful of them, so a projection writes it as a handful
of rows. Records are ordered: an adapter must hand back the keys in the order they were put (a JSON
object or a list of pairs does), because a person's history is kept oldest first.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Record = dict[str, float]
Vector = npt.NDArray[np.float32]
#: The state as plain values: ``(kind, key, pairs)`` per record and ``(kind, key, numbers)`` per vector.
Dump = tuple[list[tuple[str, str, list[tuple[str, float]]]], list[tuple[str, str, list[float]]]]


class ModelState(Protocol):
    """Get and put of records and vectors by ``(kind, key)``; a missing record reads as empty."""

    def records(self, kind: str, keys: Sequence[str]) -> list[Record]:
        """The records in the order of ``keys``; the caller may change them and put them back."""
        ...

    def put_record(self, kind: str, key: str, record: Mapping[str, float]) -> None: ...

    def vectors(self, kind: str, keys: Sequence[str]) -> list[Vector | None]: ...

    def put_vector(self, kind: str, key: str, vector: Vector) -> None: ...


class InMemoryState:
    """The port over two dictionaries, for the offline benchmark and the tests.

    With ``copying`` every get and put copies, as a store that serialises would: a model that changes
    a record without putting it back then loses the change here too, which the tests rely on.
    """

    def __init__(self, *, copying: bool = False) -> None:
        self._records: dict[tuple[str, str], Record] = {}
        self._vectors: dict[tuple[str, str], Vector] = {}
        self._copying = copying

    def records(self, kind: str, keys: Sequence[str]) -> list[Record]:
        found = [self._records.get((kind, key)) for key in keys]
        if self._copying:
            return [dict(record) if record is not None else {} for record in found]
        return [record if record is not None else {} for record in found]

    def put_record(self, kind: str, key: str, record: Mapping[str, float]) -> None:
        stored = dict(record) if self._copying or not isinstance(record, dict) else record
        if stored:
            self._records[(kind, key)] = stored
        else:
            self._records.pop((kind, key), None)

    def vectors(self, kind: str, keys: Sequence[str]) -> list[Vector | None]:
        found = [self._vectors.get((kind, key)) for key in keys]
        return [v.copy() if self._copying and v is not None else v for v in found]

    def put_vector(self, kind: str, key: str, vector: Vector) -> None:
        self._vectors[(kind, key)] = vector.copy() if self._copying else vector

    def sizes(self) -> dict[str, int]:
        """How many values of each kind: what bounded growth is checked against."""
        counts: dict[str, int] = {}
        for kind, _ in [*self._records, *self._vectors]:
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    def longest(self, kind: str) -> int:
        """The most entries any record of ``kind`` holds."""
        return max((len(r) for (k, _), r in self._records.items() if k == kind), default=0)

    def snapshot(self) -> InMemoryState:
        """A deep copy, as a restart that reloads every row would see it."""
        other = InMemoryState(copying=self._copying)
        other._records = copy.deepcopy(self._records)
        other._vectors = {key: value.copy() for key, value in self._vectors.items()}
        return other

    def dump(self) -> Dump:
        """Every value as plain lists (record order kept): what a projection would write as rows."""
        records = [(kind, key, list(rec.items())) for (kind, key), rec in self._records.items()]
        vectors = [(kind, key, [float(x) for x in vec]) for (kind, key), vec in self._vectors.items()]
        return records, vectors

    @classmethod
    def load(cls, dumped: Dump) -> InMemoryState:
        """The inverse of :meth:`dump`: a restart that reads the rows back."""
        state = cls()
        records, vectors = dumped
        for kind, key, pairs in records:
            state.put_record(kind, key, dict(pairs))
        for kind, key, values in vectors:
            state.put_vector(kind, key, np.asarray(values, dtype=np.float32))
        return state
