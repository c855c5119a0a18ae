"""Exploration: new videos earn their first impressions by Thompson sampling, under a budget.

A new video has no engagement history, so neither the ranking model nor co-engagement can judge it.
Each page sets aside a few exploration slots (page assembly places them); which new videos fill them is
decided here. Per video the caller passes its exploration ``Evidence`` (impressions, completions, likes)
and a Beta posterior is kept on its engagement rate, an impression counting as a success when it was
completed or liked. Every exploring video draws a rate from its posterior with the caller's seeded
``random.Random``; the highest draws go first. A video whose posterior is wide draws high now and then
and so keeps being tried; one that is confidently poor rarely wins a slot against better ones.

Its stage follows from the evidence alone, so nothing is stored here:

- ``EXPLORING`` while under its impression ``budget`` and not retired;
- ``RETIRED`` once, after ``min_impressions``, its rate is confidently under ``retire_below``: it gets no
  more exploration impressions, and the caller should drop it from the fresh pool too;
- ``SETTLED`` once its budget is spent without being retired: exploration has learned what it can, and
  the ranked pool and the model decide from here.

Independently of the stage, a video whose rate is confidently above ``promote_above`` rises: it is
returned among ``promoted``, to be merged into the ranked pool so it reaches people beyond the slots.

The counts come from a projection read at page time, so concurrent pages can overshoot a budget by the
number of pages served in between; that is harmless and keeps this pure.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import random
from collections.abc import Iterable, Mapping, Set

from recommend.candidates import FRESH_REASON, NEW_CREATOR_REASON, Candidate, Source, Video


@dataclasses.dataclass(frozen=True, slots=True)
class Evidence:
    """How a new video fared in its exploration impressions so far."""

    impressions: int = 0
    completions: int = 0
    likes: int = 0

    @property
    def successes(self) -> int:
        """Impressions completed or liked. Counts alone cannot tell how many likers also completed, so
        this takes the larger of the two: a lower bound on the union, erring towards caution."""
        return min(self.impressions, max(self.completions, self.likes))


class Stage(enum.StrEnum):
    EXPLORING = "exploring"
    SETTLED = "settled"
    RETIRED = "retired"


@dataclasses.dataclass(frozen=True, slots=True)
class Policy:
    #: Exploration impressions a video gets at most.
    budget: int = 150
    #: Impressions before a video may be retired: early bad luck does not bury it.
    min_impressions: int = 20
    #: A video whose rate is confidently below this is retired.
    retire_below: float = 0.15
    #: A video whose rate is confidently above this rises into the ranked pool.
    promote_above: float = 0.3
    #: "Confidently": the posterior mean ± ``z`` standard deviations (1.64: about 95 % one-sided).
    z: float = 1.64
    #: Beta prior (successes, failures): uniform, so an untried video draws anything and gets tried.
    prior: tuple[float, float] = (1.0, 1.0)


DEFAULT_POLICY = Policy()


@dataclasses.dataclass(frozen=True, slots=True)
class Exploration:
    #: Exploring videos, highest Thompson draw first (``score`` is the draw, ``source`` EXPLORE). Page
    #: assembly takes the first ones the person may see, as many as it has exploration slots.
    picks: tuple[Candidate, ...]
    #: Confidently good new videos, for the ranked pool (``score``: posterior mean, ``source`` FRESH).
    promoted: tuple[Candidate, ...]
    #: Confidently poor new videos: no more exploration impressions, and best left out of the fresh pool.
    retired: frozenset[str]


def posterior(evidence: Evidence, policy: Policy = DEFAULT_POLICY) -> tuple[float, float]:
    """Beta(α, β) on the video's engagement rate."""
    failures = max(0, evidence.impressions - evidence.successes)
    return policy.prior[0] + evidence.successes, policy.prior[1] + failures


def bounds(evidence: Evidence, policy: Policy = DEFAULT_POLICY) -> tuple[float, float]:
    """Where the rate confidently lies: the posterior mean ± ``z`` standard deviations, within [0, 1]."""
    a, b = posterior(evidence, policy)
    mean = a / (a + b)
    spread = policy.z * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    return max(0.0, mean - spread), min(1.0, mean + spread)


def stage(evidence: Evidence, policy: Policy = DEFAULT_POLICY) -> Stage:
    if evidence.impressions >= policy.min_impressions and bounds(evidence, policy)[1] < policy.retire_below:
        return Stage.RETIRED
    if evidence.impressions >= policy.budget:
        return Stage.SETTLED
    return Stage.EXPLORING


def rises(evidence: Evidence, policy: Policy = DEFAULT_POLICY) -> bool:
    return bounds(evidence, policy)[0] > policy.promote_above


def explore(
    pool: Iterable[Video],
    evidence: Mapping[str, Evidence],
    rng: random.Random,
    policy: Policy = DEFAULT_POLICY,
    new_creators: Set[str] = frozenset(),
) -> Exploration:
    """Splits the new-video ``pool`` into exploration picks, promoted and retired videos. A video with
    no ``evidence`` entry has had no impressions. Draws happen in video id order, so the same seed gives
    the same picks whatever order the pool came in. ``new_creators`` get "new creator" as their reason."""
    videos = sorted({v.video_id: v for v in pool}.values(), key=lambda v: v.video_id)
    picks: list[Candidate] = []
    promoted: list[Candidate] = []
    retired: set[str] = set()
    for video in videos:
        seen = evidence.get(video.video_id, Evidence())
        reason = NEW_CREATOR_REASON if video.owner_id in new_creators else FRESH_REASON
        current = stage(seen, policy)
        if current is Stage.RETIRED:
            retired.add(video.video_id)
            continue
        if rises(seen, policy):
            a, b = posterior(seen, policy)
            promoted.append(Candidate.of(video, Source.FRESH, reason, a / (a + b)))
        if current is Stage.EXPLORING:
            draw = rng.betavariate(*posterior(seen, policy))
            picks.append(Candidate.of(video, Source.EXPLORE, reason, draw))
    picks.sort(key=lambda c: (-c.score, c.video_id))
    return Exploration(tuple(picks), tuple(sorted(promoted, key=lambda c: -c.score)), frozenset(retired))
