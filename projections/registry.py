"""Every projector Strom runs, by name."""

from __future__ import annotations

from projections.models import (
    comment_threads,
    erasures,
    following_feed,
    fresh_videos,
    moderation_queue,
    moderation_standing,
    notifications,
    profiles,
    recommendations,
    search,
    transparency,
    trending,
    video_counters,
    video_details,
)
from projections.projector import Projector
from read_models import projection_state
from read_models.errors import ReadStoreError
from read_models.live import Build, live_build
from read_models.port import ReadStore

ALL: tuple[Projector, ...] = (
    video_counters.PROJECTOR,
    comment_threads.PROJECTOR,
    profiles.PROJECTOR,
    video_details.PROJECTOR,
    trending.PROJECTOR,
    following_feed.PROJECTOR,
    fresh_videos.PROJECTOR,
    recommendations.PROJECTOR,
    erasures.PROJECTOR,
    moderation_queue.PROJECTOR,
    moderation_standing.PROJECTOR,
    transparency.PROJECTOR,
    search.PROJECTOR,
    notifications.PROJECTOR,
)


def by_name(names: list[str] | None = None) -> tuple[Projector, ...]:
    if not names:
        return ALL
    known = {p.name: p for p in ALL}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown projector(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return tuple(known[n] for n in names)


def live_checkpoints(store: ReadStore, projectors: tuple[Projector, ...] = ALL) -> dict[str, int]:
    """Each projector's live build checkpoint (0 before it first ran): for lag metrics. A store that
    does not answer yields nothing rather than failing the scrape."""
    try:
        return {
            p.name: projection_state.checkpoint_of(
                store, p.name, (live_build(store, p.name) or Build(p.version)).label
            )
            for p in projectors
        }
    except ReadStoreError:
        return {}
