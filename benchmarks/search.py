"""Search latency: creators, hashtags and caption words by prefix, at 10x the demo catalogue and at a
large one, next to the bare range read of the index the query makes.

The demo seeds 3 people and 5 videos (strom/demo.py); the ``10x-demo`` catalogue has 30 people and
50 videos, the ``large`` one 10,000 people and 30,000 videos. Names, captions and hashtags are drawn
from small word lists with accents and mixed case, so prefixes collide as real ones do. The log is
appended through the codec (captions sealed, as the handlers write them) and the ``search`` projector
runs over it to the head; its rate and the rows it wrote per event are what the index costs a write.

Each query is the service the route calls (``services.discovery``: index read, access policy and
profile or card reads, anonymous viewer), timed in-process, one at a time, for random 3-letter
prefixes of indexed words; the limit is the one ``store.page`` range read the query starts with.
Run with ``python -m benchmarks.search [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.report import Line, Rate, Target, machine, save, table
from domain.accounts.events import UserRegistered
from domain.events import DomainEvent
from domain.videos.events import VideoPublished
from eventstore.envelope import StreamState
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from migrations.runner import apply_pending
from projections.models import moderation_standing, profiles, video_details
from projections.models.search import PROJECTOR
from projections.rebuild import live_or_first
from projections.runner import Runner
from read_models import search
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from services.access import AccessPolicy
from services.discovery import Discovery
from strom.wiring import make_codec

DESCRIPTION = "Search by prefix (creators, hashtags, captions) through the discovery service."
DEFAULT_OUT = Path(__file__).parent / "results" / "search.json"
#: Typing-speed search: a page of results well inside a keystroke's debounce.
TARGET = Target(p99_ms=20.0, source="search while typing: p99 <= 20 ms, as the feed page row")
CATALOGUES = {"10x-demo": (30, 50), "large": (10_000, 30_000)}
QUERIES = 400
POLICY_READS = (profiles.PROJECTOR, video_details.PROJECTOR, moderation_standing.PROJECTOR)
SEED = 2026
FIRST = [
    "Mira",
    "Jonas",
    "Aiko",
    "José",
    "Zoë",
    "Ana",
    "Björn",
    "Chloé",
    "Dmitri",
    "Émile",
    "Fatima",
    "Grete",
]
LAST = ["Okafor", "Berg", "Tanaka", "Núñez", "Kovač", "Dubois", "Müller", "Søndergaard", "Ilić", "Lopez"]
WORDS = [
    "sunset",
    "dance",
    "beach",
    "fractal",
    "morning",
    "coffee",
    "city",
    "night",
    "rain",
    "music",
    "guitar",
    "piano",
    "street",
    "food",
    "mountain",
    "river",
    "forest",
    "cat",
    "dog",
    "garden",
    "winter",
    "summer",
    "autumn",
    "spring",
    "light",
    "shadow",
    "colour",
    "study",
    "pattern",
    "retro",
    "game",
    "life",
    "math",
    "science",
    "travel",
    "bike",
    "skate",
    "surf",
    "paint",
    "sketch",
    "clay",
]


def catalogue(people: int, videos: int, rng: random.Random) -> list[tuple[str, list[DomainEvent]]]:
    """(stream, events) for every person, then every video of a random owner."""
    log: list[tuple[str, list[DomainEvent]]] = []
    owners = []
    for i in range(people):
        user_id = str(uuid7())
        owners.append(user_id)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        handle = f"{name.split()[0].lower().encode('ascii', 'ignore').decode()}{i}"
        log.append((f"user-{user_id}", [UserRegistered(user_id, handle, f"{handle}@b.invalid", "h", name)]))
    for _ in range(videos):
        video_id, owner = str(uuid7()), rng.choice(owners)
        words = rng.sample(WORDS, 6)
        tags = rng.sample(WORDS, 2)
        caption = " ".join(words).capitalize() + " " + " ".join(f"#{t}" for t in tags)
        log.append((f"video-{video_id}", [VideoPublished(video_id, owner, caption, tags, "public", True)]))
    return log


def timed(calls: list[Callable[[], Any]]) -> Rate:
    latencies = []
    began = time.perf_counter()
    for call in calls:
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return Rate(len(calls), time.perf_counter() - began, tuple(latencies))


def measure(
    name: str, people: int, videos: int, folder: Path, queries: int
) -> tuple[list[Line], dict[str, Any]]:
    rng = random.Random(SEED)
    keys = SQLiteKeyStore(folder / "keys.db")
    events = SQLiteEventStore(folder / "events.db")
    store: ReadStore = SQLiteReadStore(folder / "read.db")
    try:
        apply_pending(store)
        codec = make_codec(keys)
        for stream, batch in catalogue(people, videos, rng):
            events.append(stream, [codec.encode(e) for e in batch], StreamState.ANY)
        head = events.head_position()
        began = time.perf_counter()
        Runner(PROJECTOR, events=events, codec=codec, store=store, build=live_or_first(store, PROJECTOR)).run(
            until=head
        )
        projected = time.perf_counter() - began
        for reads in POLICY_READS:  # what the access policy and the result cards read
            Runner(reads, events=events, codec=codec, store=store, build=live_or_first(store, reads)).run(
                until=head
            )
        terms = search.MODEL.table(store, search.SEARCH_TERMS)
        rows = sum(1 for _ in store.scan(terms))
        discovery = Discovery(AccessPolicy(store))
        prefixes = {
            "creators": [p[:3] for p in (n.lower() for n in FIRST + LAST)],
            "hashtags": [w[:3] for w in WORDS],
            "videos": [w[:3] for w in WORDS],
        }
        lines = []
        for kind, pool in prefixes.items():
            asked = [rng.choice(pool) for _ in range(queries)]
            ours = timed([_query(discovery, kind, q) for q in asked])
            limit = timed([_range(store, kind, q) for q in asked])
            lines.append(
                Line(
                    key=f"{name}.{kind}",
                    operation=f"search {kind}, {name} ({people:,} people, {videos:,} videos)",
                    ours=ours,
                    limit=limit,
                    target=TARGET,
                    how="discovery service, anonymous, limit 10; limit: the index range read alone",
                    unit="q",
                )
            )
        cost = {
            "events": head,
            "projected_events_per_s": round(head / projected, 1),
            "index_rows": rows,
            "index_rows_per_event": round(rows / head, 2),
        }
        return lines, cost
    finally:
        store.close()
        events.close()
        keys.close()


def _query(discovery: Discovery, kind: str, q: str) -> Callable[[], Any]:
    find = {"creators": discovery.creators, "hashtags": discovery.hashtags, "videos": discovery.videos}[kind]
    return lambda: find(q, None, 10, None)


def _range(store: ReadStore, kind: str, q: str) -> Callable[[], Any]:
    term_kind = {"creators": search.CREATOR, "hashtags": search.HASHTAG, "videos": search.VIDEO}[kind]
    return lambda: search.matches(store, term_kind, q, 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="fewer queries and a smaller large catalogue")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    queries = QUERIES // 4 if args.quick else QUERIES
    catalogues = dict(CATALOGUES, large=(1_000, 3_000)) if args.quick else CATALOGUES
    lines: list[Line] = []
    costs: dict[str, Any] = {}
    for name, (people, videos) in catalogues.items():
        with tempfile.TemporaryDirectory(prefix=f"strom-search-{name}-") as tmp:
            found, cost = measure(name, people, videos, Path(tmp), queries)
        lines += found
        costs[name] = cost
    print(DESCRIPTION)
    print(table(lines, limit="index read alone"))
    for name, cost in costs.items():
        print(f"{name}: {cost}")
    save(
        args.out,
        {
            "description": DESCRIPTION,
            "machine": machine(),
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "lines": {line.key: line.as_dict() for line in lines},
            "index_cost": costs,
        },
    )


if __name__ == "__main__":
    main()
