"""Candidate sources: plain rows the caller already read become ``Candidate``s with a source and a reason.

Each source answers one question about what the person might want next, and scores its candidates in
[0, 1] relative to its own strongest, so ``candidates.merge`` can keep one proposal per video and a
ranking model can use the source's strength as a weak prior. None of them filters what the person may
not see (seen, blocked, hidden…): page assembly does that once for all sources.

- ``following``: new videos of creators the person follows, newest strongest.
- ``neighbours``: videos co-engaged with (or close in a learned embedding to) what the person engaged
  with, weighted by how much they engaged; negative engagement pulls its neighbours down.
- ``similar``: the same for content similarity (caption, hashtags, media), which reaches videos nobody
  has watched yet and so have no co-engagement.
- ``trending``: what is trending overall (already time-decayed by the trending read model).
- ``hashtag_trending``: what trends within the hashtags the person likes (``taste_hashtags`` picks them).
- ``fresh``: newly published videos, newest strongest: the non-personal fallback and exploration pool.

The helpers below them turn interactions into the inputs: engagement per video, hashtag affinities,
which hashtags to fetch trending lists for and which to avoid.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from recommend.candidates import (
    FRESH_REASON,
    TRENDING_REASON,
    Candidate,
    Source,
    Video,
    following_reason,
    hashtag_reason,
    liked_reason,
    merge,
)
from recommend.signals import Interaction

HOUR = 3600.0
DAY = 24 * HOUR


@dataclasses.dataclass(frozen=True, slots=True)
class Scored:
    """A video with the score a list ranked it by (e.g. its decayed trending score)."""

    video: Video
    score: float


@dataclasses.dataclass(frozen=True, slots=True)
class Seed:
    """A video the person engaged with and how much (``engagement_by_video``; negative: disliked)."""

    video_id: str
    owner_id: str
    weight: float


@dataclasses.dataclass(frozen=True, slots=True)
class Related:
    """``video`` is close to the seed ``seed_id``: co-engaged, near in embedding or similar in content."""

    seed_id: str
    video: Video
    #: In [0, 1]: how close.
    similarity: float


def following(
    videos: Iterable[Video], now: float, handles: Mapping[str, str] | None = None, half_life: float = DAY
) -> list[Candidate]:
    """Followed creators' recent videos, a video half as strong every ``half_life`` of age: the person
    asked for these creators, so their newest work should surface first."""
    names = handles or {}
    return merge(
        Candidate.of(
            v, Source.FOLLOWING, following_reason(names.get(v.owner_id)), _recency(v, now, half_life)
        )
        for v in videos
    )


def fresh(videos: Iterable[Video], now: float, half_life: float = DAY) -> list[Candidate]:
    """Newly published videos, newest strongest: what anyone, personalised or not, can be shown."""
    return merge(Candidate.of(v, Source.FRESH, FRESH_REASON, _recency(v, now, half_life)) for v in videos)


def trending(rows: Iterable[Scored]) -> list[Candidate]:
    """Trending overall, scored relative to the top of the list."""
    listed = list(rows)
    top = max((r.score for r in listed), default=0.0)
    return merge(
        Candidate.of(r.video, Source.TRENDING, TRENDING_REASON, _share(r.score, top))
        for r in listed
        if r.score > 0
    )


def hashtag_trending(
    lists: Mapping[str, Iterable[Scored]], affinities: Mapping[str, float]
) -> list[Candidate]:
    """Trending within hashtags the person likes: a video's strength is its place in the hashtag's list
    times how much the person likes the hashtag (relative to their favourite among these). Hashtags the
    person does not like (affinity ≤ 0) contribute nothing. A video in several lists keeps its best."""
    liked = {tag: affinities.get(tag, 0.0) for tag in lists if affinities.get(tag, 0.0) > 0}
    favourite = max(liked.values(), default=0.0)
    proposals: list[Candidate] = []
    for tag, affinity in liked.items():
        rows = list(lists[tag])
        top = max((r.score for r in rows), default=0.0)
        proposals += [
            Candidate.of(
                r.video, Source.HASHTAG, hashtag_reason(tag), _share(r.score, top) * affinity / favourite
            )
            for r in rows
            if r.score > 0
        ]
    return merge(proposals)


def neighbours(
    seeds: Iterable[Seed], related: Iterable[Related], handles: Mapping[str, str] | None = None
) -> list[Candidate]:
    """Videos related by co-engagement (or a learned embedding) to what the person engaged with."""
    return _by_seeds(Source.NEIGHBOURS, seeds, related, handles or {})


def similar(
    seeds: Iterable[Seed], related: Iterable[Related], handles: Mapping[str, str] | None = None
) -> list[Candidate]:
    """Videos whose content resembles what the person engaged with: the only personal route to a video
    nobody has watched yet."""
    return _by_seeds(Source.SIMILAR, seeds, related, handles or {})


def _by_seeds(
    source: Source, seeds: Iterable[Seed], related: Iterable[Related], handles: Mapping[str, str]
) -> list[Candidate]:
    """Σ seed weight × similarity per related video, relative to the strongest; the reason names the
    seed that contributed most. A seed itself is never proposed (the person has seen it), and a video
    pulled down to zero or below by disliked seeds is dropped."""
    by_id = {s.video_id: s for s in seeds}
    total: dict[str, float] = defaultdict(float)
    best: dict[str, tuple[float, Seed]] = {}
    videos: dict[str, Video] = {}
    for r in related:
        seed = by_id.get(r.seed_id)
        if seed is None or r.video.video_id in by_id:
            continue
        contribution = seed.weight * r.similarity
        total[r.video.video_id] += contribution
        videos[r.video.video_id] = r.video
        if contribution > best.get(r.video.video_id, (0.0, seed))[0]:
            best[r.video.video_id] = (contribution, seed)
    top = max(total.values(), default=0.0)
    return merge(
        Candidate.of(videos[vid], source, liked_reason(handles.get(best[vid][1].owner_id)), score / top)
        for vid, score in total.items()
        if score > 0
    )


def without_hashtags(candidates: Iterable[Candidate], avoid: Collection[str]) -> list[Candidate]:
    """Drops candidates carrying a hashtag the person dislikes (``disliked_hashtags``)."""
    return [c for c in candidates if not any(tag in avoid for tag in c.hashtags)]


def engagement_by_video(
    interactions: Iterable[Interaction], now: float, half_life: float = 7 * DAY
) -> dict[str, float]:
    """The person's net engagement with each video, older interactions worth less (half every
    ``half_life``), so seeds follow their taste as it drifts. Negative: they disliked it."""
    net: dict[str, float] = defaultdict(float)
    for i in interactions:
        net[i.video_id] += i.weight * 0.5 ** (max(0.0, now - i.at) / half_life)
    return dict(net)


def hashtag_affinities(engaged: Iterable[tuple[Iterable[str], float]]) -> dict[str, float]:
    """Net affinity per hashtag: the sum of the engagement with the videos carrying it, given as
    (hashtags, engagement) pairs, e.g. from ``engagement_by_video``."""
    affinity: dict[str, float] = defaultdict(float)
    for tags, weight in engaged:
        for tag in tags:
            affinity[tag] += weight
    return dict(affinity)


def taste_hashtags(affinities: Mapping[str, float], k: int = 5) -> list[str]:
    """The ``k`` hashtags whose trending lists to fetch: the most liked on balance, never one the person
    dislikes on balance (ties by name, so the choice is stable)."""
    liked = [(-a, tag) for tag, a in affinities.items() if a > 0]
    return [tag for _, tag in sorted(liked)[:k]]


def disliked_hashtags(affinities: Mapping[str, float], below: float = -3.0) -> frozenset[str]:
    """Hashtags the person clearly dislikes (net affinity under ``below``: by default worse than one
    unlike): candidates carrying them are better not proposed at all (``without_hashtags``)."""
    return frozenset(tag for tag, a in affinities.items() if a < below)


def _recency(video: Video, now: float, half_life: float) -> float:
    return float(0.5 ** (max(0.0, now - video.published_at) / half_life))


def _share(score: float, top: float) -> float:
    return score / top if top > 0 else 0.0
