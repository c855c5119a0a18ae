"""The ranking model's state port (``recommend.state.ModelState``) over a projection's writer: each
record or vector is one ``rec_model`` row holding JSON, stamped with the event that last changed it.

A record is kept as a list of pairs, so its order (a person's history, oldest first) survives the
round trip. A row changed by an event is not changed again by that event on a replay: its
``applied_position`` says the event's effect is already in it.

Records many people feed (``recommend.model.SUMMED``) are ``rec_sums`` rows under the partition's
``shard``: each partition reads and adds to its own part only, and readers add the parts up.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np

from projections.writer import Writer
from read_models.recommendations import APPLIED
from recommend.model import CREATORS, HISTORY, SUMMED, RankingModel
from recommend.signals import Interaction
from recommend.state import Record, Vector

TABLE = "rec_model"
SUMS = "rec_sums"


class WriterState:
    """``ModelState`` for one event: reads see the batch's pending writes, writes go into the batch."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def records(self, kind: str, keys: Sequence[str]) -> list[Record]:
        return [dict(_pairs(self._value(kind, key) or [])) for key in keys]

    def put_record(self, kind: str, key: str, record: Mapping[str, float]) -> None:
        self._put(kind, key, [[name, value] for name, value in record.items()] if record else None)

    def vectors(self, kind: str, keys: Sequence[str]) -> list[Vector | None]:
        found = [self._value(kind, key) for key in keys]
        return [None if v is None else np.asarray(v, dtype=np.float32) for v in found]

    def put_vector(self, kind: str, key: str, vector: Vector) -> None:
        self._put(kind, key, [round(float(x), 5) for x in vector])

    def _value(self, kind: str, key: str) -> list[object] | None:
        row = self._writer.get(*self._row(kind, key))
        if row is None or row["value"] is None:
            return None
        value: list[object] = json.loads(row["value"])
        return value

    def _put(self, kind: str, key: str, value: list[object] | None) -> None:
        table, row_key = self._row(kind, key)
        row = self._writer.get(table, row_key)
        if row is not None and (row.get(APPLIED) or -1) >= self._writer.position:
            return  # this event's effect is in the row already (a replay)
        text = None if value is None else json.dumps(value, separators=(",", ":"))
        self._writer.upsert(table, {**row_key, "value": text, APPLIED: self._writer.position})

    def _row(self, kind: str, key: str) -> tuple[str, dict[str, str]]:
        """The table and key of a record: a summed one's part is this partition's shard."""
        if kind in SUMMED:
            return SUMS, {"kind": kind, "key": key, "shard": self._writer.shard}
        return TABLE, {"kind": kind, "key": key}


def learn(writer: Writer, interaction: Interaction, *, owner_id: str | None) -> None:
    """What the interaction teaches about the person and the co-engagement it makes (their partition's
    part); the video's own records are described where the video is (``describe``)."""
    RankingModel(WriterState(writer)).learn(interaction, owner_id=owner_id)


def follow(writer: Writer, follower_id: str, creator_id: str, *, following: bool) -> None:
    RankingModel(WriterState(writer)).follow(follower_id, creator_id, following=following)


def describe(writer: Writer, video_id: str, *, owner_id: str, hashtags: Sequence[str]) -> None:
    """A published video's creator and hashtags: content similarity before anyone watched it."""
    RankingModel(WriterState(writer)).describe(video_id, owner_id=owner_id, hashtags=hashtags)


def forget(writer: Writer, user_id: str) -> None:
    """Drops what the model keeps about one person; the videos' co-engagement totals stay, unlinked."""
    state = WriterState(writer)
    for kind in (HISTORY, CREATORS):
        state.put_record(kind, user_id, {})


def _pairs(value: list[object]) -> list[tuple[str, float]]:
    return [(str(pair[0]), float(pair[1])) for pair in value if isinstance(pair, list)]
