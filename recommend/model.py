"""The ranking model, learned online: every interaction updates it at once, with no batch retraining.

A candidate's score for a person blends four things, each scaled so that its largest positive value
among the candidates of one call is 1:

- co-engagement: videos engaged by the same people as the person's recent videos. A pair counts
  ``1 / d ** user_damping`` where ``d`` is how many recent positives that person had when the pair
  formed (at most ``pair_window + 1``), so a few heavy users who engage everything do not make
  everything neighbours (an online take on the random walk person → video → person → video of
  P3/RP3beta); a history video's row is divided by its popularity ``** item_damping``. On the
  TikTok benchmark this is what carries the ranking: weighting pairs by ``1/d`` took Recall@20 on
  valid from 0.066 (plain co-counts plus popularity) to 0.10.
- popularity: how many people engaged with the candidate, a prior for people with little history.
- content: cosine between the candidate's content vector and the person's weighted content profile,
  the only evidence for videos nobody has engaged with yet.
- creator: the person's affinity for the candidate's creator.

Negative signals (skip, unlike, report) enter the person's history with a negative weight: they
subtract the video's neighbours and similar content from the score and push the video itself down.

All state sits behind :class:`~recommend.state.ModelState` and every update is bounded: a person's
history keeps ``history`` videos, a video's neighbour list about ``neighbours`` entries, so an event
costs a few dozen dictionary operations and writes at most ``pair_window + 4`` records. Nothing is
random, so the same events in the same order give the same state.

Records many people feed (``SUMMED``: co-engagement, a video's positives) only ever have whole
amounts added to them (co-engagement in millionths, ``UNIT``) and are never clamped when written: a
store may keep such a record in parts (one per projector partition, each fed by its own people) and
add the parts up when reading, and the sum is exactly what one record would hold, in any order. A
pair whose co-engagement a take-back left at or below zero counts as none. The one exception is
pruning (``_bounded``): each part keeps its own strongest entries, so a record pruned in parts may
keep other weak entries than a whole one would.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Sequence
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from recommend.features import text_vector, unit
from recommend.signals import WEIGHTS, Interaction, Signal
from recommend.state import ModelState, Record, Vector

HISTORY = "history"  # person → {video: net weight}, oldest first
CREATORS = "creators"  # person → {creator: net weight}, oldest first
NEIGHBOURS = "neighbours"  # video → {video: co-engagement}
VIDEO = "video"  # video → {"positives": people whose net weight for it is positive}
CREATOR_OF = "creator_of"  # video → {creator: 1.0}
CONTENT = "content"  # video → unit content vector
#: Records that are sums over people, added to and never clamped: a store may keep them in parts.
SUMMED = frozenset({NEIGHBOURS, VIDEO})
#: Co-engagement is counted in millionths, as whole numbers, so its sums do not depend on their order.
UNIT = 1_000_000

Scores = npt.NDArray[np.float64]


@dataclasses.dataclass(frozen=True, slots=True)
class ModelConfig:
    """Sizes and blend weights; the defaults were chosen on the TikTok valid split (see the benchmark)."""

    history: int = 50
    neighbours: int = 100
    creators: int = 50
    #: A new positive is paired with at most this many of the person's most recent positives.
    pair_window: int = 20
    user_damping: float = 1.5
    item_damping: float = 0.5
    popularity: float = 0.1
    content: float = 0.1
    creator: float = 0.2
    #: How far a negative interaction pushes the video itself down, at the strongest negative.
    penalty: float = 2.0
    #: Net weights are kept within ± this (a report's weight), so one video cannot swamp a history.
    max_weight: float = 6.0


def _add(record: Record, key: str, amount: float) -> None:
    """Adds without clamping (see ``SUMMED``): an entry goes only once it comes to exactly zero."""
    value = record.get(key, 0.0) + amount
    if value:
        record[key] = value
    else:
        record.pop(key, None)


def _strongest(record: Record, keep: int) -> Record:
    """The ``keep`` largest entries; ties go to the earlier key, and record order is part of the state, so
    pruning is the same in every replay."""
    return dict(heapq.nlargest(keep, record.items(), key=itemgetter(1)))


def _scaled(values: Scores) -> Scores:
    """In units of the largest positive value (of the largest magnitude when none is positive), so
    negative evidence keeps its size against the positive: a report sinks further than a skip."""
    if not len(values):
        return values
    top = float(values.max())
    top = top if top > 0 else float(np.abs(values).max())
    return values / top if top > 0 else values


class RankingModel:
    """Learns from interactions and scores candidates for a person; see the module docstring."""

    def __init__(self, state: ModelState, config: ModelConfig | None = None) -> None:
        self._state = state
        self._config = config or ModelConfig()

    # -- learning -----------------------------------------------------------------------------------

    def describe(
        self,
        video_id: str,
        *,
        owner_id: str | None = None,
        hashtags: Sequence[str] = (),
        features: Vector | None = None,
    ) -> None:
        """Remember a video's creator and content vector (media features, else hashed hashtags)."""
        if owner_id is not None:
            self._state.put_record(CREATOR_OF, video_id, {owner_id: 1.0})
        vector = features if features is not None else text_vector(hashtags)
        if vector is not None:
            self._state.put_vector(CONTENT, video_id, unit(np.asarray(vector, dtype=np.float32)))

    def observe(
        self,
        interaction: Interaction,
        *,
        owner_id: str | None = None,
        hashtags: Sequence[str] = (),
        features: Vector | None = None,
    ) -> None:
        """Learn from one interaction now; a view (no evidence either way) only describes the video."""
        if owner_id is not None or hashtags or features is not None:
            self.describe(interaction.video_id, owner_id=owner_id, hashtags=hashtags, features=features)
        self.learn(interaction, owner_id=owner_id)

    def learn(self, interaction: Interaction, *, owner_id: str | None = None) -> None:
        """What one interaction teaches about the person (their history, their taste for the creator
        ``owner_id``) and the co-engagement it makes, leaving the video's description to ``describe``:
        a caller keeping the person's records apart from the video's (a partitioned projection) calls
        ``describe`` where the video's records are kept."""
        weight = interaction.weight
        if weight == 0:
            return
        self._learn_history(interaction.user_id, interaction.video_id, weight)
        if owner_id is not None:
            self._learn_creator(interaction.user_id, owner_id, weight)

    def follow(self, user_id: str, creator_id: str, *, following: bool) -> None:
        """A follow is evidence for every video of the creator (as a like of one of theirs is for the
        creator); an unfollow takes back at most that much (a follow made before the person consented
        was never learned, and its unfollow must not count against the creator)."""
        weight = WEIGHTS[Signal.FOLLOW]
        if not following:
            [creators] = self._state.records(CREATORS, [user_id])
            weight = -min(weight, max(0.0, creators.get(creator_id, 0.0)))
        if weight:
            self._learn_creator(user_id, creator_id, weight)

    def _learn_history(self, user_id: str, video_id: str, weight: float) -> None:
        limit = self._config.max_weight
        [history] = self._state.records(HISTORY, [user_id])
        before = history.pop(video_id, 0.0)
        after = min(limit, max(-limit, before + weight))
        if after != 0:
            history[video_id] = after
        while len(history) > self._config.history:
            del history[next(iter(history))]
        if before <= 0 < after:
            self._pair(history, video_id, +1.0)
        elif after <= 0 < before:
            self._pair(history, video_id, -1.0)
        self._state.put_record(HISTORY, user_id, history)

    def _pair(self, history: Record, video_id: str, sign: float) -> None:
        """Add (or, when a video stops being liked, take back) its co-engagement with recent positives."""
        others = [v for v, w in history.items() if w > 0 and v != video_id][-self._config.pair_window :]
        amount = sign * round(UNIT / (len(others) + 1) ** self._config.user_damping)
        lists = self._state.records(NEIGHBOURS, [video_id, *others])
        mine = lists[0]
        for other, theirs in zip(others, lists[1:], strict=True):
            _add(mine, other, amount)
            _add(theirs, video_id, amount)
            self._state.put_record(NEIGHBOURS, other, self._bounded(theirs))
        if others:
            self._state.put_record(NEIGHBOURS, video_id, self._bounded(mine))
        [stats] = self._state.records(VIDEO, [video_id])
        # Each person takes back only a positive they added, so the sum never goes below zero.
        stats["positives"] = stats.get("positives", 0.0) + sign
        self._state.put_record(VIDEO, video_id, stats)

    def _bounded(self, neighbours: Record) -> Record:
        """At most twice ``neighbours`` entries: cut back to the strongest only then, so the sort that
        pruning costs is paid once per ``neighbours`` additions, not on every one."""
        keep = self._config.neighbours
        return neighbours if len(neighbours) <= 2 * keep else _strongest(neighbours, keep)

    def _learn_creator(self, user_id: str, owner_id: str, weight: float) -> None:
        limit = self._config.max_weight
        [creators] = self._state.records(CREATORS, [user_id])
        value = min(limit, max(-limit, creators.pop(owner_id, 0.0) + weight))
        if value != 0:
            creators[owner_id] = value
        while len(creators) > self._config.creators:
            del creators[next(iter(creators))]
        self._state.put_record(CREATORS, user_id, creators)

    # -- scoring ------------------------------------------------------------------------------------

    def scores(self, user_id: str, video_ids: Sequence[str]) -> list[float]:
        """One score per candidate, higher first; comparable within one call (each part is scaled to
        the candidates given), so rank a page's whole candidate set in one call."""
        config = self._config
        [history] = self._state.records(HISTORY, [user_id])
        total = config.popularity * self._popularity(video_ids)
        if history:
            total += self._co_engagement(history, video_ids)
            total += config.content * self._content(history, video_ids)
            total += self._own_negatives(history, video_ids)
        [creators] = self._state.records(CREATORS, [user_id])
        if creators:
            total += config.creator * self._creator(creators, video_ids)
        return [float(x) for x in total]

    def _popularity(self, video_ids: Sequence[str]) -> Scores:
        stats = self._state.records(VIDEO, video_ids)
        return _scaled(np.fromiter((s.get("positives", 0.0) for s in stats), np.float64, len(video_ids)))

    def _co_engagement(self, history: Record, video_ids: Sequence[str]) -> Scores:
        items = list(history)
        damping = self._config.item_damping
        reached: dict[str, float] = {}
        lists = self._state.records(NEIGHBOURS, items)
        stats = self._state.records(VIDEO, items)
        for item, neighbours, stat in zip(items, lists, stats, strict=True):
            weight = history[item] / max(stat.get("positives", 0.0), 1.0) ** damping
            for other, together in neighbours.items():
                if together > 0:
                    reached[other] = reached.get(other, 0.0) + weight * together
        return _scaled(np.fromiter((reached.get(v, 0.0) for v in video_ids), np.float64, len(video_ids)))

    def _content(self, history: Record, video_ids: Sequence[str]) -> Scores:
        profile: Vector | None = None
        for item, vector in zip(history, self._state.vectors(CONTENT, list(history)), strict=True):
            if vector is not None and (profile is None or vector.shape == profile.shape):
                profile = vector * history[item] if profile is None else profile + vector * history[item]
        if profile is None or not np.any(profile):
            return np.zeros(len(video_ids))
        profile = unit(profile)
        blank = np.zeros_like(profile)
        shape = profile.shape
        vectors = self._state.vectors(CONTENT, video_ids)
        matrix = np.stack([v if v is not None and v.shape == shape else blank for v in vectors])
        return (matrix @ profile).astype(np.float64)

    def _own_negatives(self, history: Record, video_ids: Sequence[str]) -> Scores:
        scale = self._config.penalty / self._config.max_weight
        disliked = {video: weight for video, weight in history.items() if weight < 0}
        if not disliked:
            return np.zeros(len(video_ids))
        return np.fromiter((scale * disliked.get(v, 0.0) for v in video_ids), np.float64, len(video_ids))

    def _creator(self, creators: Record, video_ids: Sequence[str]) -> Scores:
        owners = self._state.records(CREATOR_OF, video_ids)
        affinity = (sum(creators.get(owner, 0.0) for owner in record) for record in owners)
        return _scaled(np.fromiter(affinity, np.float64, len(video_ids)))

    # -- neighbours ---------------------------------------------------------------------------------

    def similar(self, video_id: str, n: int) -> list[tuple[str, float]]:
        """Up to ``n`` videos most co-engaged with ``video_id``, strongest first, for the candidate source."""
        [neighbours] = self._state.records(NEIGHBOURS, [video_id])
        ranked = sorted(((v, w) for v, w in neighbours.items() if w > 0), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:n]
