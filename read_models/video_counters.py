"""Engagement totals per video, as the ``video_counters`` projector keeps them, and their query."""

from __future__ import annotations

import dataclasses

from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import INT, TEXT, Table, columns_of

#: Bumping it makes the projector fill fresh tables (``video_counters_v2``) from the start of the log.
VERSION = 1
MODEL = ReadModel("video_counters", VERSION)
APPLIED = "applied_position"
COUNTS = ("likes", "comments", "shares", "views", "watch_ms", "watches", "completions", "skips")

VIDEO_COUNTERS = Table(
    "video_counters",
    columns=columns_of(video_id=TEXT, **dict.fromkeys(COUNTS, INT), **{APPLIED: INT}),
    partition_key=("video_id",),
)


@dataclasses.dataclass(frozen=True, slots=True)
class VideoCounts:
    likes: int = 0
    comments: int = 0
    shares: int = 0
    views: int = 0
    watch_ms: int = 0
    watches: int = 0
    completions: int = 0
    skips: int = 0

    @property
    def average_watch_ms(self) -> float:
        return self.watch_ms / self.watches if self.watches else 0.0

    @property
    def completion_rate(self) -> float:
        return self.completions / self.watches if self.watches else 0.0


def video_counts(store: ReadStore, video_id: str) -> VideoCounts:
    row = store.get(MODEL.table(store, VIDEO_COUNTERS), {"video_id": video_id}) or {}
    return VideoCounts(**{name: row.get(name) or 0 for name in COUNTS})
