"""A candidate for the For You page: a video, the source that proposed it, the reason a client shows,
and how strongly it is recommended.

Every client-visible reason is written here, so the wording lives in one place. ``merge`` keeps one
candidate per video (the strongest) when several sources propose the same one.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable


class Source(enum.StrEnum):
    """Where a candidate came from; recorded with every served item (FeedServed)."""

    FOLLOWING = "following"  # a creator the person follows posted it
    NEIGHBOURS = "neighbours"  # engaged with by the people who engaged with what the person engaged with
    TRENDING = "trending"  # trending overall
    HASHTAG = "hashtag"  # trending within a hashtag the person likes
    SIMILAR = "similar"  # caption, hashtags or media look like something the person engaged with
    FRESH = "fresh"  # newly published
    EXPLORE = "explore"  # a new video shown to learn how people take it (exploration slot)


#: When two sources propose the same video equally strongly, the more personal reason wins.
PRECEDENCE: dict[Source, int] = {
    source: rank
    for rank, source in enumerate(
        (
            Source.FOLLOWING,
            Source.NEIGHBOURS,
            Source.SIMILAR,
            Source.HASHTAG,
            Source.TRENDING,
            Source.FRESH,
            Source.EXPLORE,
        )
    )
}

TRENDING_REASON = "trending now"
FRESH_REASON = "new on Strom"
NEW_CREATOR_REASON = "new creator"


def following_reason(handle: str | None) -> str:
    return f"from @{handle}, whom you follow" if handle else "from a creator you follow"


def liked_reason(handle: str | None) -> str:
    return f"because you liked @{handle}'s video" if handle else "because you liked a similar video"


def hashtag_reason(hashtag: str) -> str:
    return f"popular in #{hashtag}"


@dataclasses.dataclass(frozen=True, slots=True)
class Video:
    """The plain facts about a video a source needs, as the caller read them."""

    video_id: str
    owner_id: str
    hashtags: tuple[str, ...]
    #: Seconds since the epoch.
    published_at: float


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate:
    video_id: str
    owner_id: str
    hashtags: tuple[str, ...]
    #: Seconds since the epoch.
    published_at: float
    source: Source
    #: Short text a client shows beside the video ("popular in #cats").
    reason: str
    #: Higher is better. From a source: its strength in [0, 1], comparable across sources only roughly;
    #: after ranking (``page.score_with``): the model's score.
    score: float

    @classmethod
    def of(cls, video: Video, source: Source, reason: str, score: float) -> Candidate:
        return cls(video.video_id, video.owner_id, video.hashtags, video.published_at, source, reason, score)

    def rescored(self, score: float) -> Candidate:
        return dataclasses.replace(self, score=score)


def rank_key(candidate: Candidate) -> tuple[float, int, str]:
    """Strongest first; ties go to the more personal source, then to the video id so order is stable."""
    return (-candidate.score, PRECEDENCE[candidate.source], candidate.video_id)


def merge(*groups: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per video, the strongest (its source and reason with it), strongest first."""
    best: dict[str, Candidate] = {}
    for group in groups:
        for candidate in group:
            held = best.get(candidate.video_id)
            if held is None or rank_key(candidate) < rank_key(held):
                best[candidate.video_id] = candidate
    return sorted(best.values(), key=rank_key)
