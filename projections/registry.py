"""Every projector Strom runs, by name."""

from __future__ import annotations

from projections.models import comment_threads, profiles, video_counters
from projections.projector import Projector

ALL: tuple[Projector, ...] = (video_counters.PROJECTOR, comment_threads.PROJECTOR, profiles.PROJECTOR)


def by_name(names: list[str] | None = None) -> tuple[Projector, ...]:
    if not names:
        return ALL
    known = {p.name: p for p in ALL}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown projector(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return tuple(known[n] for n in names)
