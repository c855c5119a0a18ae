"""What moderation leaves on the read side, as the access policy and every feed ask it: whether a
video's owner is suspended now (their videos are then shown to nobody but them and moderators), and
which labels each video carries (cards and feed items show them, clients honour them).

Both come from the ``moderation_standing`` read model, one key lookup each. Until that projector
has built its tables, nobody reads as suspended and nothing as labelled: a read model not built yet
must not take every feed down with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from read_models import moderation_standing as model
from read_models.errors import MissingTable
from read_models.port import ReadStore

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class Moderation:
    store: ReadStore
    clock: Clock = _now

    def suspended(self, user_id: str) -> bool:
        try:
            return model.suspended(self.store, user_id, self.clock())
        except MissingTable:
            return False

    def suspended_among(self, user_ids: Iterable[str]) -> set[str]:
        """Which of these people are suspended now, in one round of reads."""
        try:
            return model.suspended_among(self.store, user_ids, self.clock())
        except MissingTable:
            return set()

    def labels(self, video_ids: Iterable[str]) -> dict[str, list[str]]:
        """Each video's labels; a video never labelled has none."""
        wanted = list(dict.fromkeys(video_ids))
        try:
            return model.labels_for(self.store, wanted)
        except MissingTable:
            return {video_id: [] for video_id in wanted}
