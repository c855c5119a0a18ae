"""Page assembly: scored candidates and exploration picks become one page of the For You feed.

**What never appears**: a video the person saw recently, one from a creator they blocked (or who
blocked them: the caller puts both in ``blocked_creators``), one they may not see (hidden, unpublished,
deleted, private to others: the caller decides and passes a ``visible`` predicate or set), and the same
video twice.

**Order**: by score, bent by two diversity rules: never two videos of one creator back to back, and
no hashtag again within ``hashtag_spacing`` slots of its last use. The hashtag rule gives way when only
videos breaking it remain (a full page beats a short one); the creator rule holds within a page, so a
page can come out short when only one creator's videos remain.

**Exploration** picks go at fixed positions (``explore_positions``), at most one per position, so a page
never carries more of them than there are positions. Should the ranked candidates run out, remaining
picks may fill other positions, still within that cap.

**Paging without a cursor**: the caller asks for the next page with ``seen`` grown by what it served
(``Page.seen_after``), and may pass the previous page's last items as ``tail`` so the diversity rules
hold across the page boundary. The tail only constrains a page's first item while some candidate can
satisfy it: the next page never comes out empty for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence, Set

from recommend.candidates import Candidate, merge

#: A model's scores: per video id, or a function of the candidate.
Model = Mapping[str, float] | Callable[[Candidate], float]


@dataclasses.dataclass(frozen=True, slots=True)
class Filters:
    """What the person must not be shown, as the caller read it."""

    seen: Set[str] = frozenset()
    blocked_creators: Set[str] = frozenset()
    #: Video ids (or a predicate on one) the person may see; ``None``: the caller checked all of them.
    visible: Set[str] | Callable[[str], bool] | None = None

    def admits(self, candidate: Candidate) -> bool:
        if candidate.video_id in self.seen or candidate.owner_id in self.blocked_creators:
            return False
        if self.visible is None:
            return True
        if callable(self.visible):
            return self.visible(candidate.video_id)
        return candidate.video_id in self.visible


@dataclasses.dataclass(frozen=True, slots=True)
class Rules:
    limit: int = 10
    #: A hashtag used at slot i is not used again before slot i + spacing + 1. One slot: never two in a
    #: row, yet someone who loves #cats may still get half a page of them.
    hashtag_spacing: int = 1
    #: Zero-based slots for exploration picks: the 3rd and the 8th.
    explore_positions: tuple[int, ...] = (2, 7)


DEFAULT_RULES = Rules()


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    #: In order; each with the score, source and reason to record (FeedServed) and show.
    items: tuple[Candidate, ...]
    #: Ranked candidates the person may see remain after this page.
    more: bool

    @property
    def video_ids(self) -> tuple[str, ...]:
        return tuple(c.video_id for c in self.items)

    def seen_after(self, seen: Set[str]) -> frozenset[str]:
        """The ``seen`` to ask for the next page with."""
        return frozenset(seen) | frozenset(self.video_ids)


def score_with(
    candidates: Iterable[Candidate], model: Model, *, default: float = 0.0, prior_weight: float = 0.0
) -> list[Candidate]:
    """Rescores candidates by the model (``default`` for a video a mapping lacks), plus ``prior_weight``
    times the source's own strength, strongest first. A feed without personalisation skips this and
    assembles on the sources' strengths."""

    def model_score(c: Candidate) -> float:
        return model(c) if callable(model) else model.get(c.video_id, default)

    return merge(c.rescored(model_score(c) + prior_weight * c.score) for c in candidates)


def assemble(
    ranked: Iterable[Candidate],
    filters: Filters,
    rules: Rules = DEFAULT_RULES,
    explore: Iterable[Candidate] = (),
    tail: Sequence[Candidate] = (),
) -> Page:
    """One page of ``rules.limit`` items (fewer only when candidates run out): ``ranked`` by score under
    the diversity rules, ``explore`` picks (in the order given) at the exploration positions."""
    queue = [c for c in merge(ranked) if filters.admits(c)]
    probes = [c for c in _first_of_each(explore) if filters.admits(c)]
    placed: list[Candidate] = []
    explored = 0
    while len(placed) < rules.limit:
        may_explore = explored < len(rules.explore_positions)
        at_slot = may_explore and len(placed) in rules.explore_positions
        pick = _next(placed, tail, queue, probes if may_explore else [], at_slot, rules.hashtag_spacing)
        if pick is None:
            break
        placed.append(pick)
        explored += int(any(pick is p for p in probes))
        _discard(pick.video_id, queue, probes)
    return Page(tuple(placed), more=bool(queue))


def _next(
    placed: list[Candidate],
    tail: Sequence[Candidate],
    queue: list[Candidate],
    probes: list[Candidate],
    at_slot: bool,
    spacing: int,
) -> Candidate | None:
    """The next item: at an exploration slot a pick before a ranked one, elsewhere a ranked one, picks
    only once the ranked ones run out; each first under both rules, then with the hashtag rule relaxed,
    and for a page's first item, if need be, with the tail ignored."""
    recent = [*tail, *placed]
    levels = (0, 1, 2) if not placed else (0, 1)
    if at_slot:
        attempts = [(pool, level) for level in levels for pool in (probes, queue)]
    else:
        attempts = [(pool, level) for pool in (queue, probes) for level in levels]
    for pool, level in attempts:
        found = next((c for c in pool if _fits(c, recent, level, spacing)), None)
        if found is not None:
            return found
    return None


def _fits(candidate: Candidate, recent: Sequence[Candidate], level: int, spacing: int) -> bool:
    """Level 0: both rules; 1: the creator rule only; 2: none (used only against the tail)."""
    if level >= 2 or not recent:
        return True
    if recent[-1].owner_id == candidate.owner_id:
        return False
    if level == 1 or spacing <= 0:
        return True
    used = {tag for c in recent[-spacing:] for tag in c.hashtags}
    return not used.intersection(candidate.hashtags)


def _first_of_each(candidates: Iterable[Candidate]) -> list[Candidate]:
    firsts: dict[str, Candidate] = {}
    for c in candidates:
        firsts.setdefault(c.video_id, c)
    return list(firsts.values())


def _discard(video_id: str, *pools: list[Candidate]) -> None:
    for pool in pools:
        pool[:] = [c for c in pool if c.video_id != video_id]
