"""A personalised For You page: candidates read from the read models, ranked by the online model,
explored, filtered and spaced by ``recommend``'s rules.

Everything here runs in one worker thread per request (the read-store calls block). The sources:
followed creators' recent videos, trending overall and in the person's favourite hashtags, the
co-engaged neighbours of what they engaged with, fresh videos sharing their hashtags (the content
route to videos nobody has watched), the fresh pool, and exploration picks among new videos. When
those run out, the page goes on down the fresh list past the pool, newest first, to the videos the
person has not seen: the feed ends only once nothing recent is left that they have not seen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from api.shared_reads import NONE as NO_SHARING
from api.shared_reads import SharedReads
from domain.access import VideoAccess, Visibility, may_view
from read_models import following_feed, fresh_videos, profiles, recommendations, trending, video_details
from read_models.port import ReadStore
from recommend import page as rules
from recommend import sources
from recommend.candidates import Candidate, Source, Video, merge
from recommend.exploration import Evidence, explore
from recommend.model import CONTENT, CREATOR_OF, HISTORY, NEIGHBOURS, VIDEO, ModelConfig, RankingModel
from recommend.state import Record, Vector

PER_SOURCE = 50
#: The newest videos read for the fresh, similar-content and exploration sources.
FRESH_POOL = 100
SEEDS = 10
NEIGHBOURS_PER_SEED = 20
TASTE_HASHTAGS = 3
#: How many fresh rows a page reads past the pool, at most, looking for videos not yet seen.
DEEPER_READ_MAX = 2000
#: New videos younger than this are explored.
EXPLORE_WINDOW = timedelta(days=2)
#: How much of a source's own strength the final score keeps beside the model's.
PRIOR_WEIGHT = 0.3
#: The model's blend for Strom's own videos. Its defaults were tuned offline on a dataset whose content
#: features are weak image and audio embeddings; here content is the hashtags a creator chose, strong
#: evidence of what a video is about, so it weighs as much as co-engagement. The learning is the same.
SERVING = ModelConfig(content=1.0)


#: The model's records about videos, the same for every person asking (``SharedReads``); a
#: person's own (history, creators) are always read afresh.
SHARED_KINDS = frozenset({NEIGHBOURS, VIDEO, CREATOR_OF, CONTENT})


class ReadState:
    """The model's state port over the read store, for scoring: reads only."""

    def __init__(self, store: ReadStore, shared: SharedReads = NO_SHARING) -> None:
        self._store = store
        self._shared = shared

    def _raw(self, kind: str, keys: Sequence[str]) -> list[Any | None]:
        if kind not in SHARED_KINDS:
            return recommendations.model_records(self._store, kind, keys)
        return self._shared.many(
            f"model:{kind}", keys, lambda missing: recommendations.model_records(self._store, kind, missing)
        )

    def records(self, kind: str, keys: Sequence[str]) -> list[Record]:
        found = self._raw(kind, keys)
        return [{str(k): float(v) for k, v in value} if value else {} for value in found]

    def put_record(self, kind: str, key: str, record: Mapping[str, float]) -> None:
        raise TypeError("the API never changes the model")

    def vectors(self, kind: str, keys: Sequence[str]) -> list[Vector | None]:
        found = self._raw(kind, keys)
        return [None if v is None else np.asarray(v, dtype=np.float32) for v in found]

    def put_vector(self, kind: str, key: str, vector: Vector) -> None:
        raise TypeError("the API never changes the model")


class VideoRows:
    """The video rows one page needs, each read once: sources and filters ask for the same videos."""

    def __init__(self, store: ReadStore, shared: SharedReads = NO_SHARING) -> None:
        self._store = store
        self._shared = shared
        self._rows: dict[str, recommendations.RecVideo | None] = {}

    def get(self, video_ids: Iterable[str]) -> dict[str, recommendations.RecVideo]:
        wanted = list(dict.fromkeys(video_ids))
        missing = [v for v in wanted if v not in self._rows]
        found = self._shared.many("video", missing, self._read)
        self._rows.update(zip(missing, found, strict=True))
        return {v: row for v in wanted if (row := self._rows[v]) is not None}

    def _read(self, video_ids: list[str]) -> list[recommendations.RecVideo | None]:
        found = recommendations.videos(self._store, video_ids)
        return [found.get(v) for v in video_ids]


@dataclasses.dataclass(frozen=True, slots=True)
class Assembled:
    items: tuple[Candidate, ...]
    more: bool
    #: The feed ends though there are videos: the person saw them all (or may not be shown them).
    caught_up: bool = False


def personalised_page(
    store: ReadStore,
    user_id: str,
    limit: int,
    now: datetime,
    seed: int,
    scroll_from: int | None = None,
    shared: SharedReads = NO_SHARING,
) -> Assembled:
    """``seed`` makes the exploration draws: the same request draws the same page. ``scroll_from``:
    the log position of the scroll's first page, when this page continues one. ``shared`` keeps
    what is the same for everyone for about a second (the pool, trending, rows about videos)."""
    state = ReadState(store, shared)
    model = RankingModel(state, SERVING)
    [history] = state.records(HISTORY, [user_id])
    fresh, fresh_cursor = shared.one("fresh", lambda: _fresh(store))
    rows = VideoRows(store, shared)
    known = rows.get([*history, *(v.video_id for v in fresh)])
    seeds = _seeds(history, known)
    affinities = sources.hashtag_affinities((known[v].hashtags, w) for v, w in history.items() if v in known)
    pool = _candidates(store, shared, rows, model, user_id, seeds, affinities, fresh, now)
    pool = sources.without_hashtags(pool, sources.disliked_hashtags(affinities))
    scores = dict(
        zip((c.video_id for c in pool), model.scores(user_id, [c.video_id for c in pool]), strict=True)
    )
    ranked = rules.score_with(pool, scores, prior_weight=PRIOR_WEIGHT)
    picks = _explore(store, shared, fresh, now, seed)
    seen = recommendations.seen(store, user_id, now=now.timestamp(), scroll_from=scroll_from)
    page = rules.assemble(ranked, _filters(store, rows, user_id, [*pool, *picks], seen), _rules(limit), picks)
    if page.more:
        return Assembled(page.items, more=True)
    shown = {c.video_id for c in [*pool, *picks]} | seen
    deeper, unread = _deeper(store, shared, fresh_cursor, shown, user_id, limit + 1 - len(page.items), now)
    if deeper:
        below = _after(ranked, sources.fresh(deeper, now.timestamp()))
        filters = _filters(store, rows, user_id, [*pool, *picks, *below], seen)
        page = rules.assemble([*ranked, *below], filters, _rules(limit), picks)
    more = page.more or unread
    return Assembled(page.items, more, caught_up=not more and bool(fresh or pool))


def _rules(limit: int) -> rules.Rules:
    return dataclasses.replace(rules.DEFAULT_RULES, limit=limit)


def _candidates(
    store: ReadStore,
    shared: SharedReads,
    rows: VideoRows,
    model: RankingModel,
    user_id: str,
    seeds: list[sources.Seed],
    affinities: Mapping[str, float],
    fresh: list[Video],
    now: datetime,
) -> list[Candidate]:
    at = now.timestamp()
    followed = [
        Video(i.video_id, i.owner_id, tuple(i.hashtags), i.published_at.timestamp())
        for i in following_feed.following_feed(store, user_id, PER_SOURCE, now=now, kept=shared).items
    ]
    handles = _handles(store, shared, [*(v.owner_id for v in followed), *(s.owner_id for s in seeds)])
    taste = sources.taste_hashtags(affinities, TASTE_HASHTAGS)

    def top(tag: str | None) -> list[trending.TrendingVideo]:
        return shared.one(
            ("trending", tag), lambda: trending.top(store, PER_SOURCE, hashtag=tag, now=now).items
        )

    lists = {tag: _scored(rows, top(tag)) for tag in taste}
    return merge(
        sources.following(followed, at, handles),
        sources.trending(_scored(rows, top(None))),
        sources.hashtag_trending(lists, affinities),
        sources.neighbours(seeds, _neighbours(rows, model, seeds), handles),
        sources.similar(seeds, _similar_content(seeds, fresh, rows.get(s.video_id for s in seeds)), handles),
        sources.fresh(fresh, at),
    )


def _fresh(store: ReadStore) -> tuple[list[Video], str | None]:
    """The fresh pool, and the cursor of the fresh list past it (``None``: the pool is all of it)."""
    page = fresh_videos.fresh_videos(store, FRESH_POOL)
    return [_fresh_video(v) for v in page.items], page.next_cursor


def _fresh_video(v: fresh_videos.FreshVideo) -> Video:
    return Video(v.video_id, v.owner_id, tuple(v.hashtags), v.published_at.timestamp())


def _deeper(
    store: ReadStore,
    shared: SharedReads,
    cursor: str | None,
    shown: Set[str],
    user_id: str,
    wanted: int,
    now: datetime,
) -> tuple[list[Video], bool]:
    """Down the fresh list from ``cursor``: up to ``wanted`` videos neither seen nor proposed already,
    none of the person's own or of creators blocked either way, and whether rows were left unread (a
    page reads at most ``DEEPER_READ_MAX``)."""
    found: list[Video] = []
    read = 0
    while cursor is not None and len(found) < wanted:
        if read >= DEEPER_READ_MAX:
            return found, True
        page = _fresh_page(store, shared, cursor, now)
        read += len(page.items)
        new = [v for v in page.items if v.video_id not in shown and v.owner_id != user_id]
        blocked = video_details.blocked_among(store, user_id, (v.owner_id for v in new))
        found += [_fresh_video(v) for v in new if v.owner_id not in blocked]
        cursor = page.next_cursor
    return found, False


def _fresh_page(store: ReadStore, shared: SharedReads, cursor: str, now: datetime) -> fresh_videos.FreshPage:
    """A page of the fresh list past the pool: the same for everyone who scrolled that far."""

    def read() -> fresh_videos.FreshPage:
        return fresh_videos.fresh_videos(store, FRESH_POOL, cursor, now=now)

    return shared.one(("fresh", cursor), read)


def _after(ranked: Sequence[Candidate], candidates: Iterable[Candidate]) -> list[Candidate]:
    """``candidates`` rescored below every ranked one, keeping their order."""
    floor = min((c.score for c in ranked), default=0.0) - 1.0
    listed = list(candidates)
    return [c.rescored(floor - i / (len(listed) + 1)) for i, c in enumerate(listed)]


def _seeds(history: Record, known: Mapping[str, recommendations.RecVideo]) -> list[sources.Seed]:
    """The person's most recent videos, liked or disliked: a disliked one pulls its neighbours down."""
    recent = [(v, w) for v, w in history.items() if v in known][-SEEDS:]
    return [sources.Seed(v, known[v].owner_id, w) for v, w in recent]


def _neighbours(rows: VideoRows, model: RankingModel, seeds: list[sources.Seed]) -> list[sources.Related]:
    lists = {s.video_id: model.similar(s.video_id, NEIGHBOURS_PER_SEED) for s in seeds}
    known = rows.get(v for pairs in lists.values() for v, _ in pairs)
    related: list[sources.Related] = []
    for seed_id, pairs in lists.items():
        top = max((weight for _, weight in pairs), default=0.0)
        related += [
            sources.Related(seed_id, _video(known[v]), weight / top)
            for v, weight in pairs
            if v in known and top > 0
        ]
    return related


def _similar_content(
    seeds: list[sources.Seed], fresh: list[Video], known: Mapping[str, recommendations.RecVideo]
) -> list[sources.Related]:
    """Fresh videos sharing hashtags with a seed (Jaccard): the route to videos nobody engaged with."""
    related: list[sources.Related] = []
    for seed in seeds:
        tags = set(known[seed.video_id].hashtags) if seed.video_id in known else set()
        for video in fresh if tags else ():
            shared = tags & set(video.hashtags)
            if shared:
                related.append(
                    sources.Related(seed.video_id, video, len(shared) / len(tags | set(video.hashtags)))
                )
    return related


def _explore(
    store: ReadStore, shared: SharedReads, fresh: list[Video], now: datetime, seed: int
) -> tuple[Candidate, ...]:
    young = [v for v in fresh if v.published_at >= (now - EXPLORE_WINDOW).timestamp()]
    ids = [v.video_id for v in young]
    totals = shared.many(
        "explore", ids, lambda missing: list(recommendations.exploration(store, missing).values())
    )
    evidence = {v: Evidence(t.impressions, t.completions, t.likes) for v, t in zip(ids, totals, strict=True)}
    return explore(young, evidence, random.Random(seed)).picks


def _filters(
    store: ReadStore, rows: VideoRows, user_id: str, candidates: Iterable[Candidate], seen: Set[str]
) -> rules.Filters:
    listed = list(candidates)
    known = rows.get(c.video_id for c in listed)
    owners = {c.owner_id for c in listed}
    blocked = video_details.blocked_among(store, user_id, owners) | {user_id}
    followed_only = {c.video_id for c in listed if c.source is Source.FOLLOWING}
    visible = {v for v, video in known.items() if _may_view(video, user_id, follows=v in followed_only)}
    return rules.Filters(seen=seen, blocked_creators=blocked, visible=visible)


def _may_view(video: recommendations.RecVideo, user_id: str, *, follows: bool) -> bool:
    """The access rule; followers-only videos count as followed only through the Following source,
    the one place a page may show them."""
    access = VideoAccess(
        video.video_id, video.owner_id, published=video.listed, visibility=Visibility(video.visibility)
    )
    return may_view(access, user_id, follows_owner=follows)


def _scored(rows: VideoRows, items: Sequence[trending.TrendingVideo]) -> list[sources.Scored]:
    known = rows.get(i.video_id for i in items)
    return [sources.Scored(_video(known[i.video_id]), i.score) for i in items if i.video_id in known]


def _video(video: recommendations.RecVideo) -> Video:
    return Video(video.video_id, video.owner_id, video.hashtags, video.published_at)


def _handles(store: ReadStore, shared: SharedReads, owners: Iterable[str]) -> dict[str, str]:
    """Handles of the creators a reason may name (followed creators, the seeds' creators)."""
    wanted = list(dict.fromkeys(owners))

    def read(missing: list[str]) -> list[str | None]:
        found = profiles.handles_of(store, missing)
        return [found.get(o) for o in missing]

    return {o: h for o, h in zip(wanted, shared.many("handle", wanted, read), strict=True) if h is not None}


def page_seed(user_id: str, cursor: str | None) -> int:
    """Exploration draws differ per person and page, and repeat for the same request."""
    return int.from_bytes(hashlib.sha256(f"{user_id}\x1f{cursor}".encode()).digest()[:8], "big")
