"""What the capacity plan rests on: figures measured by ``make bench``, and event sizes computed with
the real codec. Kept apart from the model (scripts/capacity.py) so the model reads as a table."""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

#: The benchmarks the plan reads, each a file ``benchmarks/results/<name>.json``.
NEEDED = ("append", "api_commands", "feed_query", "projections", "read_store", "transcode")


@dataclasses.dataclass(frozen=True)
class Measure:
    """One measured figure: what it is, where it comes from, its value (None when not measured)."""

    what: str
    source: str
    value: float | None


@dataclasses.dataclass(frozen=True)
class Inputs:
    decode: Measure  # events/s one subscriber reads and decodes
    api_read: Measure  # feed pages/s one API process serves from Cassandra
    api_write: Measure  # commands/s one API process takes
    cassandra_rows: Measure  # row writes/s one Cassandra node takes
    cassandra_pages: Measure  # page reads/s one Cassandra node answers
    transcode: Measure  # seconds of video a second one worker transcodes (whole ladder)
    projectors: dict[str, Measure]  # handled events/s one partition applies into Cassandra

    def all(self) -> list[Measure]:
        fixed = [self.decode, self.api_read, self.api_write, self.cassandra_rows, self.cassandra_pages]
        return [*fixed, self.transcode, *self.projectors.values()]


def load_results(folder: Path) -> tuple[dict[str, object], list[str]]:
    """Every results file by benchmark name, and a message for each needed one that is missing."""
    found: dict[str, object] = {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}
    missing = [
        f"{folder.name}/{name}.json is missing: run `python -m benchmarks.{name}` (or `make bench`)"
        for name in NEEDED
        if name not in found
    ]
    return found, missing


def read_inputs(results: Mapping[str, object], projectors: Iterable[str]) -> Inputs:
    ops = "operations"
    return Inputs(
        decode=_measure(
            results, "log read + decode, events/s", f"projections.{ops}.log_read_decode.ours.per_s"
        ),
        api_read=_measure(
            results,
            "feed page on Cassandra, req/s per API process",
            f"feed_query.{ops}.feed_page_cassandra.ours.per_s",
        ),
        api_write=_measure(
            results,
            "like/unlike command, req/s per API process",
            f"api_commands.{ops}.like_unlike.ours.per_s",
        ),
        cassandra_rows=_measure(
            results,
            "Cassandra row writes/s, one node",
            f"read_store.{ops}.cassandra_row_write_threads.ours.per_s",
        ),
        cassandra_pages=_measure(
            results,
            "Cassandra page reads/s, one node, one caller",
            f"read_store.{ops}.cassandra_page_read.ours.per_s",
        ),
        transcode=_measure(
            results,
            "whole ladder, seconds of video a second per worker",
            f"transcode.{ops}.ladder.video_s_per_s.ours",
        ),
        projectors={name: _handled_rate(results, name) for name in projectors},
    )


def projector_rate(
    inputs: Inputs, name: str, handles: Mapping[str, tuple[str, ...]]
) -> tuple[float | None, str]:
    """A projector's measured rate; for one not measured, the rate of the measured projector that
    handles the most of the same event types (the slowest of a tie), said so."""
    own = inputs.projectors[name].value
    if own is not None:
        return own, "measured"
    kin = [
        (-len(set(handles[other]) & set(handles[name])), m.value, other)
        for other, m in inputs.projectors.items()
        if m.value is not None and set(handles[other]) & set(handles[name])
    ]
    if not kin:
        return None, "not measured"
    _, rate, other = min(kin)
    return rate, f"not measured: {other}'s rate"


def _dig(results: Mapping[str, object], path: str) -> object:
    node: object = results
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _measure(results: Mapping[str, object], what: str, path: str) -> Measure:
    value = _dig(results, path)
    file, _, field = path.partition(".")
    number = float(value) if isinstance(value, int | float) else None
    return Measure(what, f"{file}.json: {field}", number)


def _handled_rate(results: Mapping[str, object], projector: str) -> Measure:
    """Events a projector applies a second into Cassandra: its rebuild's rate over the log times the
    share of the log it handles (the benchmark states both counts in its description)."""
    path = f"projections.operations.cassandra_rebuild_{projector}"
    rate, how = _dig(results, path + ".ours.per_s"), _dig(results, path + ".how")
    counts = re.search(r"([\d,]+) events \(([\d,]+) handled\)", how if isinstance(how, str) else "")
    value = None
    if isinstance(rate, int | float) and counts:
        total, handled = (int(group.replace(",", "")) for group in counts.groups())
        value = float(rate) * handled / total
    what = f"{projector}: handled events/s into Cassandra, one partition"
    return Measure(what, f"projections.json: {path.partition('.')[2]}.ours.per_s × handled share", value)


# -- event sizes, computed with the real codec ------------------------------------------------------

#: Lengths of the free-text fields in a sample event; every other string is as long as an id.
SAMPLE_TEXT = {"text": 60, "caption": 80, "bio": 80, "note": 40, "display_name": 16, "email": 24}
ID = "0" * 36


class _OneKey:
    """A key store holding one key: sealing needs a key, not where it lives."""

    def key_for(self, subject: str) -> bytes:
        return b"k" * 32

    def find(self, subject: str) -> bytes | None:
        return b"k" * 32

    def erase(self, subject: str) -> bool:
        return False

    def close(self) -> None:
        return None


def event_size(event_type: str, *, page_items: int, overhead_b: int) -> int:
    """Bytes one event of the type takes in the log: its sealed data and its metadata as the
    KurrentDB adapter writes them, its type, stream name and id, plus the engine's own overhead."""
    import orjson

    from domain.events import EVENT_TYPES
    from eventstore.codec import EventCodec
    from eventstore.envelope import Metadata
    from eventstore.sealing import Sealer

    _register_every_event()
    cls = EVENT_TYPES[event_type]
    values = {
        f.name: _sample(f.name, str(f.type), page_items)
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    meta = Metadata(actor=ID, correlation_id=ID, causation_id=ID, hash="h" * 64, prev_hash="h" * 64)
    new = EventCodec(Sealer(_OneKey())).encode(cls(**values), meta)
    stored_meta = {**new.metadata.to_dict(), "schema_version": new.schema_version}
    envelope = len(orjson.dumps(new.data)) + len(orjson.dumps(stored_meta))
    stream = len(f"activity-{ID}-20270101")
    return envelope + len(new.type) + stream + 16 + overhead_b


def _register_every_event() -> None:
    """Event classes register themselves when their module is imported: import every domain module."""
    import domain

    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)


def _sample(name: str, annotation: str, page_items: int) -> object:
    if name == "items":  # FeedServed: a page of items with their reasons
        item = {"video_id": ID, "score": 0.123456, "source": "neighbours", "reason": "r" * 40}
        return [item] * page_items
    if name == "response":  # RequestCompleted: ids and a position
        return {"position": 123_456_789_012, "id": ID}
    if annotation.startswith("list"):
        return ["hashtag12"] * 3
    if annotation.startswith("dict"):
        return {}
    scalars: dict[str, object] = {"bool": True, "float": 0.5, "int": 123_456}
    return scalars.get(annotation.split(" |")[0], "x" * SAMPLE_TEXT.get(name, len(ID)))
