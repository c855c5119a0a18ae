"""The capacity plan for 100 M people, recomputed from the measured figures in ``benchmarks/results/``.

``python scripts/capacity.py`` prints the figures section of ``docs/capacity.md``; ``--write`` puts it
there (``make capacity``), ``--check`` fails when the document is stale. The activity model and every
assumption are the tables at the top of this file; docs/capacity.md says why each value is what it is.
Everything measured comes from a results file and is named with it; a missing file leaves its figures
out, saying which benchmark to run.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from capacity_inputs import Inputs, event_size, load_results, projector_rate, read_inputs

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "capacity.md"
BEGIN, END = "<!-- capacity:figures -->", "<!-- /capacity:figures -->"
DAY_S = 86_400

# -- the activity model (assumed: docs/capacity.md, "The activity model") -----------------------------

PEOPLE = 100_000_000
ACTIVE_SHARE = 0.6  # people active on a given day
PEAK_FACTOR = 2.5  # busiest hour's rate over the day's mean
VIEWS = 150.0  # videos started per active person per day
WATCHED_S_PER_VIEW = 18.0  # mean seconds watched per view, quick skips included
SKIP_SHARE = 0.35  # views left within 3 s (VideoSkipped instead of WatchProgressed)
PROGRESS_PER_WATCH = 1.3  # WatchProgressed per watched view: one per loop and one on leaving
FOR_YOU_SHARE = 0.85  # views that come from For You (the rest from Following)
PAGE_ITEMS = 10  # items per feed page (recommend/page.py's limit)
UPLOAD_S = 35.0  # mean duration of an uploaded video


@dataclasses.dataclass(frozen=True)
class Action:
    """Something a person does, how often per active day, and what it costs the log and the API."""

    name: str
    per_day: float
    events: tuple[tuple[str, float], ...]  # (event type, count per action)
    appends: float  # appends (event-store round trips) per action
    reads: float = 0.0  # API read requests per action
    writes: float = 0.0  # API command requests per action


def _keyed(name: str, per_day: float, event: str) -> Action:
    """A command the client sends with an Idempotency-Key: its event plus the remembered response."""
    return Action(name, per_day, ((event, 1), ("RequestCompleted", 1)), appends=2, writes=1)


WATCHED = VIEWS * (1 - SKIP_SHARE)
ACTIONS = (
    Action("view started", VIEWS, (("ViewStarted", 1),), appends=0),
    Action("watch progress", WATCHED * PROGRESS_PER_WATCH, (("WatchProgressed", 1),), appends=0),
    Action("quick skip", VIEWS * SKIP_SHARE, (("VideoSkipped", 1),), appends=0),
    # The client sends its watch signals every 10 s while something is queued: one append a batch.
    Action("watch-signal batch", 200, (), appends=1, writes=1),
    Action("For You page", VIEWS * FOR_YOU_SHARE / PAGE_ITEMS, (("FeedServed", 1),), appends=1, reads=1),
    Action("Following page", VIEWS * (1 - FOR_YOU_SHARE) / PAGE_ITEMS, (), appends=0, reads=1),
    Action("other read (card, comments, profile)", 6, (), appends=0, reads=1),
    _keyed("like", 12, "VideoLiked"),
    _keyed("unlike", 0.5, "VideoUnliked"),
    _keyed("comment", 0.8, "CommentPosted"),
    _keyed("comment like", 1, "CommentLiked"),
    _keyed("share", 1, "VideoShared"),
    _keyed("follow", 0.5, "UserFollowed"),
    _keyed("unfollow", 0.1, "UserUnfollowed"),
    Action("token refresh", 5, (("SessionRefreshed", 1),), appends=1, writes=1),
    Action("sign-in", 0.1, (("SessionStarted", 1),), appends=1, writes=1),
    Action(
        "upload",
        0.02,
        (
            ("VideoDraftCreated", 1),
            ("VideoUploadCompleted", 1),
            ("VideoProcessingStarted", 1),
            ("VideoProcessingProgressed", 4),
            ("VideoProcessingSucceeded", 1),
            ("VideoPublished", 1),
            ("RequestCompleted", 2),
        ),
        appends=11,
        reads=5,  # processing status polls
        writes=6,  # draft, tus creation and PATCHes, publish
    ),
)

# -- other assumptions (not measurable here; docs/capacity.md says what each rests on) ----------------

UTILISATION = 0.6  # every unit planned to be this busy at peak: the rest is headroom
CLUSTER_APPENDS_PER_S = 15_000  # appends/s one three-node KurrentDB cluster takes with quorum acks
RECORD_OVERHEAD_B = 100  # the log's own framing and index entry per event, beyond the envelope
#: Read-store rows a projector writes per event it handles, and the share of them that is new data
#: (the rest replaces rows in place). A projector missing here is taken as (1, 1.0).
READ_ROWS = {
    "video_counters": (1.0, 0.0),  # a video's totals, replaced
    "trending": (2.0, 0.0),  # a video's score row and its ranking row, moved
    "video_details": (1.0, 0.0),
    "profiles": (1.0, 0.5),  # follower lists grow, totals are replaced
    "comment_threads": (1.0, 1.0),
    "following_feed": (1.0, 1.0),  # a publication fans out instead: MEAN_FOLLOWERS rows
    "fresh_videos": (1.0, 1.0),
    "recommendations": (5.0, 0.2),  # the seen list grows, co-engagement weights are replaced
}
MEAN_FOLLOWERS = 200  # of a creator who uploads; fan-out stops at following_feed's threshold
ROW_BYTES = 150  # a read-store row with Cassandra's per-cell overhead
REPLICATION = 3  # Cassandra replicas of a row (dc1:3)
QUORUM_READS = 2  # replicas a LOCAL_QUORUM read asks
PARTITIONS_PER_READ = 4  # read-store partitions one API read touches
NODE_DISK_B = 2e12  # usable disk of one Cassandra node
RETENTION_DAYS = 365  # growth of new rows kept, before TTLs (seen lists, fresh videos) remove some
RENDITION_MIX = {240: 0.05, 360: 0.10, 480: 0.25, 720: 0.40, 1080: 0.20}  # share of played seconds
PREFETCH_S = 2.0  # the next slide's first segment, fetched whether or not it is watched
CDN_HIT_RATIO = 0.95  # segments are immutable and plays concentrate on few videos
SOURCE_KBPS = 8_000  # an uploaded source, kept beside its renditions
#: DESIGN.md §11 per-unit targets, for the counts beside the measured ones: req/s of an API process,
#: events/s of a projector into one Cassandra node (also taken as its rows/s), transcoding in real time.
TARGETS = {"api": 2_000.0, "projector": 20_000.0, "cassandra_rows": 20_000.0, "transcode": 1.0}

# -- the load ---------------------------------------------------------------------------------------


def active_people() -> float:
    return PEOPLE * ACTIVE_SHARE


def per_s(per_active_day: float) -> float:
    """Mean rate over the day of something each active person does ``per_active_day`` times."""
    return active_people() * per_active_day / DAY_S


def peak(per_active_day: float) -> float:
    return per_s(per_active_day) * PEAK_FACTOR


def events_per_s() -> dict[str, float]:
    """Mean events a second by event type."""
    rates: dict[str, float] = {}
    for action in ACTIONS:
        for event_type, n in action.events:
            rates[event_type] = rates.get(event_type, 0.0) + per_s(action.per_day * n)
    return rates


def peak_appends() -> float:
    return sum(peak(a.per_day * a.appends) for a in ACTIONS)


def peak_requests(kind: str) -> float:
    return sum(peak(a.per_day * (a.reads if kind == "reads" else a.writes)) for a in ACTIONS)


def handled_per_s(rates: Mapping[str, float], types: Iterable[str]) -> float:
    return sum(rates.get(t, 0.0) for t in types)


def rows_written(projector: str, event_type: str) -> tuple[float, float]:
    """Rows one handled event writes, and how many of them are new data."""
    from projections.models.following_feed import THRESHOLD

    rows, new = READ_ROWS.get(projector, (1.0, 1.0))
    if projector == "following_feed" and event_type == "VideoPublished":
        rows = float(min(MEAN_FOLLOWERS, THRESHOLD))
    return rows, rows * new


def read_store_rows(
    rates: Mapping[str, float], handles: Mapping[str, tuple[str, ...]]
) -> tuple[float, float]:
    """Mean rows written a second, and new rows a second, over every projector."""
    written = new = 0.0
    for projector, types in handles.items():
        for event_type in types:
            rows, fresh = rows_written(projector, event_type)
            written += rates.get(event_type, 0.0) * rows
            new += rates.get(event_type, 0.0) * fresh
    return written, new


def units(load: float, per_unit: float | None) -> float | None:
    """Units needed to carry ``load`` with each at most ``UTILISATION`` busy."""
    return load / (per_unit * UTILISATION) if per_unit else None


def partitions_needed(handled: float, rate: float, decode: float) -> float | None:
    """Partitions of one projector on one log shard. Every partition reads and decodes every event the
    projector handles and applies its own slice, so with ``n`` partitions an event costs each of them
    ``1/decode + (1/rate - 1/decode)/n`` seconds; None when decoding alone would not keep up."""
    room = UTILISATION - handled / decode
    if room <= 0:
        return None
    return max(handled * max(1 / rate - 1 / decode, 0.0) / room, 1.0)


# -- rendering --------------------------------------------------------------------------------------


def sig(value: float, digits: int = 3) -> str:
    """A figure to ``digits`` significant digits with thousands separators: plans are not exact."""
    if value == 0:
        return "0"
    rounded = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{rounded:,.0f}" if abs(rounded) >= 10 ** (digits - 1) else f"{rounded:,.{digits}g}"


def size(value: float) -> str:
    for unit, scale in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= scale:
            return f"{sig(value / scale)} {unit}"
    return f"{sig(value)} B"


def count(value: float | None) -> str:
    return "—" if value is None else f"{max(1, math.ceil(value - 1e-9)):,}"


def shown(value: float | None) -> str:
    return "—" if value is None else sig(value)


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def inputs_section(inputs: Inputs, missing: list[str]) -> list[str]:
    rows = [(m.what, shown(m.value), f"`{m.source}`") for m in inputs.all()]
    lines = table(("measured", "value", "from benchmarks/results/"), rows)
    return lines + ([""] + [f"- {m}" for m in missing] if missing else [])


def activity_section() -> list[str]:
    head = ["action", "a day per active person", "events", "events/s mean", "events/s peak"]
    head += ["appends/s peak", "API requests/s peak"]
    rows, totals = [], [0.0] * 4
    for a in ACTIONS:
        n = sum(k for _, k in a.events)
        figures = [per_s(a.per_day * n), peak(a.per_day * n), peak(a.per_day * a.appends)]
        figures.append(peak(a.per_day * (a.reads + a.writes)))
        totals = [t + f for t, f in zip(totals, figures, strict=True)]
        kinds = ", ".join(t for t, _ in a.events) or "—"
        rows.append((a.name, sig(a.per_day), kinds, *map(sig, figures)))
    rows.append(("**all**", "", "", *(f"**{sig(t)}**" for t in totals)))
    intro = f"{sig(active_people())} of {sig(PEOPLE)} people active a day; peak = {PEAK_FACTOR} × mean."
    return [intro, "", *table(head, rows)]


def log_section(rates: Mapping[str, float]) -> list[str]:
    sizes = {t: event_size(t, page_items=PAGE_ITEMS, overhead_b=RECORD_OVERHEAD_B) for t in rates}
    daily = {t: rates[t] * DAY_S * sizes[t] for t in rates}
    rows = [
        (t, f"{round(sizes[t], -1):,}", sig(rates[t] * DAY_S), size(daily[t]))
        for t in sorted(rates, key=lambda t: -daily[t])
    ]
    total, events = sum(daily.values()), sum(rates.values()) * DAY_S
    return [
        *table(("event type", "bytes an event (computed)", "events a day", "log bytes a day"), rows),
        "",
        f"The log grows by **{size(total)} a day**, {size(total * 365)} a year ({sig(events)} events a day "
        f"of {sig(total / events)} bytes on average), times three for a cluster's three copies.",
    ]


def shard_count(rates: Mapping[str, float], handles: Mapping[str, tuple[str, ...]], inputs: Inputs) -> int:
    busiest = max(handled_per_s(rates, types) for types in handles.values()) * PEAK_FACTOR
    bounds = (units(peak_appends(), CLUSTER_APPENDS_PER_S), units(busiest, inputs.decode.value))
    return max(1, math.ceil(max(b or 0.0 for b in bounds) - 1e-9))


def shard_section(
    rates: Mapping[str, float], handles: Mapping[str, tuple[str, ...]], inputs: Inputs
) -> list[str]:
    busiest = max(handled_per_s(rates, types) for types in handles.values()) * PEAK_FACTOR
    decode = inputs.decode.value
    limit = f"one shard's limit ({UTILISATION:.0%} busy)"
    rows = [
        ("appends/s one KurrentDB cluster takes (assumed)", sig(peak_appends()),
         sig(CLUSTER_APPENDS_PER_S * UTILISATION), count(units(peak_appends(), CLUSTER_APPENDS_PER_S))),
        ("events/s one subscriber reads and decodes (measured)", sig(busiest),
         shown(decode * UTILISATION if decode else None), count(units(busiest, decode))),
    ]  # fmt: skip
    shards = shard_count(rates, handles, inputs)
    return [
        *table(("what bounds a shard", "peak, whole log", limit, "shards"), rows),
        "",
        f"**{shards} log shards**, each a three-node KurrentDB cluster: {sig(peak_appends() / shards)} "
        f"appends/s a shard at peak, and {sig(busiest / shards)} events/s to its busiest subscriber.",
    ]


def projector_section(
    rates: Mapping[str, float], handles: Mapping[str, tuple[str, ...]], inputs: Inputs, shards: int
) -> list[str]:
    decode, rows = inputs.decode.value, []
    for name, types in handles.items():
        handled = handled_per_s(rates, types) * PEAK_FACTOR / shards
        rate, note = projector_rate(inputs, name, handles)
        need = partitions_needed(handled, rate, decode) if rate and decode else None
        best = max(TARGETS["projector"], rate or 0.0)
        at_target = partitions_needed(handled, best, decode) if decode else None
        total = None if need is None else math.ceil(need - 1e-9) * shards
        target_total = None if at_target is None else math.ceil(at_target - 1e-9) * shards
        rows.append((name, sig(handled), shown(rate), note, count(need), count(total), count(target_total)))
    head = ["projector", "handled events/s a shard, peak", "events/s a partition", "rate"]
    head += ["partitions a shard", f"partitions, {shards} shards", "at the DESIGN target"]
    rest = "Every other projector handles none of the modelled events: one partition a shard each."
    return [*table(head, rows), "", rest]


def api_section(inputs: Inputs) -> list[str]:
    rows = []
    for what, kind, unit in (("reads", "reads", inputs.api_read), ("commands", "writes", inputs.api_write)):
        load = peak_requests(kind)
        need, at_target = units(load, unit.value), units(load, TARGETS["api"])
        rows.append((what, sig(load), shown(unit.value), count(need), count(at_target)))
    head = ("requests", "peak req/s", "one API process (measured)", "API processes", "at the DESIGN target")
    return table(head, rows)


def cassandra_section(
    rates: Mapping[str, float], handles: Mapping[str, tuple[str, ...]], inputs: Inputs
) -> list[str]:
    written, new = read_store_rows(rates, handles)
    writes = written * PEAK_FACTOR * REPLICATION
    reads = peak_requests("reads") * PARTITIONS_PER_READ * QUORUM_READS
    kept = new * DAY_S * ROW_BYTES * REPLICATION * RETENTION_DAYS
    node_rows, node_pages = inputs.cassandra_rows.value, inputs.cassandra_pages.value
    rows = [
        ("row writes/s × replicas", sig(writes), shown(node_rows), count(units(writes, node_rows)),
         count(units(writes, TARGETS["cassandra_rows"]))),
        ("partition reads/s × quorum", sig(reads), shown(node_pages), count(units(reads, node_pages)), "—"),
        (f"disk: {RETENTION_DAYS} days of new rows × replicas", size(kept), size(NODE_DISK_B),
         count(kept / NODE_DISK_B), count(kept / NODE_DISK_B)),
    ]  # fmt: skip
    return [
        f"Projectors write {sig(written)} rows/s on average, {sig(written * PEAK_FACTOR)} at peak (an upper "
        f"bound: a batch writes a row once however often it changed); {sig(new)} rows/s are new data, "
        f"**{size(new * DAY_S * ROW_BYTES)} a day** a replica.",
        "",
        *table(("bound", "peak load", "one node (measured)", "nodes", "at the DESIGN target"), rows),
        "",
        "A cluster needs the largest of the three.",
    ]


def media_section(inputs: Inputs) -> list[str]:
    from media.ladder import RUNGS

    kbps = {r.short_side: r.video_kbps + r.audio_kbps for r in RUNGS}
    played_kbps = sum(share * kbps[side] for side, share in RENDITION_MIX.items())
    egress = active_people() * VIEWS * (WATCHED_S_PER_VIEW + PREFETCH_S) * played_kbps * 1000 / 8
    uploads = active_people() * next(a.per_day for a in ACTIONS if a.name == "upload")
    stored = uploads * UPLOAD_S * (sum(kbps.values()) + SOURCE_KBPS) * 1000 / 8
    video_s = uploads * UPLOAD_S / DAY_S * PEAK_FACTOR
    workers, at_target = units(video_s, inputs.transcode.value), units(video_s, TARGETS["transcode"])
    gbps, view_s = egress * 8 / DAY_S * PEAK_FACTOR / 1e9, WATCHED_S_PER_VIEW + PREFETCH_S
    return [
        f"- **CDN egress: {size(egress)} a day**, {sig(gbps)} Gbit/s at peak: {sig(played_kbps)} kbit/s "
        f"over the rendition mix for {sig(view_s)} s a view; {size(egress * (1 - CDN_HIT_RATIO))} a day "
        f"from the origin at a {CDN_HIT_RATIO:.0%} hit ratio.",
        f"- Uploads: {sig(uploads)} a day, {sig(uploads * UPLOAD_S / 3600)} hours of video; renditions and "
        f"sources add **{size(stored)} a day** to object storage.",
        f"- Transcoding: {sig(video_s)} s of video a second at peak, {shown(inputs.transcode.value)} s/s a "
        f"worker (measured): **{count(workers)} transcoding workers**, {count(at_target)} at the DESIGN "
        "target of real time.",
    ]


def render(results_dir: Path = RESULTS) -> tuple[str, list[str]]:
    """The figures section, and a message for each results file that is missing."""
    from projections import registry

    results, missing = load_results(results_dir)
    rates = events_per_s()
    # Projectors that handle none of the modelled events (moderation, erasure…) carry no load here.
    handles = {p.name: p.handles for p in registry.ALL if handled_per_s(rates, p.handles) > 0}
    inputs = read_inputs(results, handles)
    shards = shard_count(rates, handles, inputs)
    parts = (
        ("Measured inputs", inputs_section(inputs, missing)),
        ("Events by kind", activity_section()),
        ("Log bytes", log_section(rates)),
        ("Log shards", shard_section(rates, handles, inputs)),
        ("Projector partitions", projector_section(rates, handles, inputs, shards)),
        ("API processes", api_section(inputs)),
        ("Cassandra", cassandra_section(rates, handles, inputs)),
        ("Media: CDN, storage, transcoding", media_section(inputs)),
    )
    lines = ["_Written by `make capacity` (scripts/capacity.py): change the model there, not here._"]
    for title, body in parts:
        lines += ["", f"### {title}", "", *body]
    return "\n".join(lines) + "\n", missing


def spliced(doc: str, figures: str) -> str:
    """The document with the text between its figure markers replaced."""
    head, begin, rest = doc.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not (begin and end):
        raise ValueError(f"no {BEGIN} … {END} section to replace")
    return f"{head}{BEGIN}\n{figures}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recompute the capacity plan for 100 M people.")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the folder of benchmark results")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the figures into docs/capacity.md")
    mode.add_argument("--check", action="store_true", help="exit 1 if docs/capacity.md is stale")
    args = parser.parse_args(argv)
    figures, missing = render(args.results)
    for message in missing:
        print(f"capacity: {message}", file=sys.stderr)
    if not (args.write or args.check):
        sys.stdout.write(figures)
        return 0
    doc = DOC.read_text()
    if args.check:
        stale = spliced(doc, figures) != doc
        if stale:
            print("capacity: docs/capacity.md is stale: run `make capacity`", file=sys.stderr)
        return 1 if stale else 0
    DOC.write_text(spliced(doc, figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
