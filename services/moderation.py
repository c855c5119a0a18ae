"""What moderation leaves on the read side, as the access policy and every feed ask it: whether a
video's owner is suspended now, or erased (their videos are then shown to nobody but them and
moderators; an erased person's until the erasure cascade deletes them), and which labels each video
carries (cards and feed items show them, clients honour them).

Both come from the ``moderation_standing`` read model, one key lookup each. Until that projector
has built its tables, nobody reads as suspended and nothing as labelled: a read model not built yet
must not take every feed down with it.

Every feed page asks both about each of its items, and the answers are the same for everyone: a
feed may keep them for about a second (``Kept``, the API's shared reads), as it keeps the videos'
own rows. A suspension or a label then reaches feeds within that second of its projection.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from read_models import moderation_standing as model
from read_models.errors import MissingTable
from read_models.kept import FRESH, Kept
from read_models.port import ReadStore

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class Moderation:
    store: ReadStore
    clock: Clock = _now
    kept: Kept = FRESH

    def suspended(self, user_id: str) -> bool:
        try:
            return model.suspended(self.store, user_id, self.clock())
        except MissingTable:
            return False

    def withheld(self, user_id: str) -> bool:
        """Whether what the person made is withheld now: they are suspended, or erased."""
        try:
            return model.withheld(self.store, user_id, self.clock())
        except MissingTable:
            return False

    def withheld_among(self, user_ids: Iterable[str]) -> set[str]:
        """Which of these people's content is withheld now (suspended or erased), in one round of
        reads at most."""
        wanted = list(dict.fromkeys(user_ids))
        flags = self.kept.many("withheld", wanted, self._withheld_flags)
        return {user_id for user_id, withheld in zip(wanted, flags, strict=True) if withheld}

    def labels(self, video_ids: Iterable[str]) -> dict[str, list[str]]:
        """Each video's labels; a video never labelled has none."""
        wanted = list(dict.fromkeys(video_ids))
        return dict(zip(wanted, self.kept.many("labels", wanted, self._labels), strict=True))

    def _withheld_flags(self, user_ids: list[str]) -> list[bool]:
        try:
            withheld = model.withheld_among(self.store, user_ids, self.clock())
        except MissingTable:
            return [False] * len(user_ids)
        return [user_id in withheld for user_id in user_ids]

    def _labels(self, video_ids: list[str]) -> list[list[str]]:
        try:
            labels = model.labels_for(self.store, video_ids)
        except MissingTable:
            return [[] for _ in video_ids]
        return [labels[video_id] for video_id in video_ids]
