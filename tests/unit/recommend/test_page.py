"""Page assembly: what a For You page may hold, in what order, and how the next page continues it."""

from __future__ import annotations

import itertools

import pytest

from recommend.candidates import Candidate, Source
from recommend.page import Filters, Rules, assemble, score_with

EVERYTHING = Filters()


def cand(
    video_id: str,
    owner_id: str | None = None,
    tags: tuple[str, ...] = (),
    score: float = 0.5,
    source: Source = Source.TRENDING,
) -> Candidate:
    """A candidate; by default each video has its own creator and no hashtags, so no rule bites."""
    return Candidate(video_id, owner_id or f"owner-{video_id}", tags, 0.0, source, "reason", score)


def probe(video_id: str, owner_id: str | None = None, tags: tuple[str, ...] = ()) -> Candidate:
    return cand(video_id, owner_id, tags, score=0.5, source=Source.EXPLORE)


def ranked(n: int, prefix: str = "r") -> list[Candidate]:
    """``n`` candidates scored in descending order of their number."""
    return [cand(f"{prefix}{i}", score=1.0 - i / 100) for i in range(n)]


def ids(candidates: tuple[Candidate, ...] | list[Candidate]) -> list[str]:
    return [c.video_id for c in candidates]


# -- length, order, filters -------------------------------------------------------------------------------


def test_a_page_holds_limit_items_in_score_order_and_says_more_remain() -> None:
    """Without rules biting, the page is the top ``limit`` by score, and the caller learns there is more."""
    page = assemble(list(reversed(ranked(15))), EVERYTHING, Rules(limit=10, explore_positions=()))

    assert ids(page.items) == [f"r{i}" for i in range(10)]
    assert page.more


def test_a_page_is_short_only_when_candidates_run_out() -> None:
    """The last page holds what is left and says nothing remains."""
    page = assemble(ranked(4), EVERYTHING, Rules(limit=10, explore_positions=()))

    assert len(page.items) == 4
    assert not page.more


def test_seen_blocked_and_invisible_videos_never_appear() -> None:
    """Recently seen videos, blocked creators' videos and videos the caller found not visible (hidden,
    deleted, private…) are left out, and the page fills up with the rest."""
    candidates = [
        cand("seen", score=0.99),
        cand("blocked", owner_id="troll", score=0.98),
        cand("hidden", score=0.97),
        *ranked(10),
    ]
    filters = Filters(seen={"seen"}, blocked_creators={"troll"}, visible=lambda vid: vid != "hidden")

    page = assemble(candidates, filters, Rules(limit=10, explore_positions=()))

    assert ids(page.items) == [f"r{i}" for i in range(10)]


def test_visibility_can_be_given_as_the_set_of_allowed_ids() -> None:
    """The caller may pass the ids it checked as visible instead of a predicate."""
    page = assemble(ranked(5), Filters(visible={"r1", "r3"}), Rules(limit=10, explore_positions=()))

    assert ids(page.items) == ["r1", "r3"]


def test_a_video_proposed_twice_appears_once_with_its_strongest_proposal() -> None:
    """Duplicates from overlapping sources or from both ranked and exploration are served once."""
    candidates = [cand("dup", score=0.3), cand("dup", score=0.9, source=Source.FOLLOWING), *ranked(3)]

    page = assemble(candidates, EVERYTHING, Rules(limit=10, explore_positions=(1,)), explore=[probe("r0")])

    assert sorted(ids(page.items)) == ["dup", "r0", "r1", "r2"]
    assert next(c for c in page.items if c.video_id == "dup").source is Source.FOLLOWING


# -- diversity --------------------------------------------------------------------------------------------


def test_never_two_videos_of_the_same_creator_back_to_back() -> None:
    """A prolific creator's videos alternate with others' even when they all score higher."""
    candidates = [cand(f"a{i}", "ana", score=0.9 - i / 100) for i in range(4)]
    candidates += [cand(f"b{i}", score=0.5 - i / 100) for i in range(4)]

    page = assemble(candidates, EVERYTHING, Rules(limit=8, explore_positions=()))

    owners = [c.owner_id for c in page.items]
    assert len(owners) == 8
    assert all(x != y for x, y in itertools.pairwise(owners))
    assert ids(page.items)[:3] == ["a0", "b0", "a1"]


def test_the_creator_rule_holds_even_if_the_page_comes_out_short() -> None:
    """Only one creator's videos left: one of them, not a run of them."""
    candidates = [cand(f"a{i}", "ana", score=0.9 - i / 100) for i in range(3)]

    page = assemble(candidates, EVERYTHING, Rules(limit=10, explore_positions=()))

    assert ids(page.items) == ["a0"]
    assert page.more


def test_a_hashtag_is_not_repeated_within_the_spacing_window() -> None:
    """With spacing 2, a #cats video waits two slots after the last one."""
    candidates = [cand(f"cat{i}", tags=("cats",), score=0.9 - i / 100) for i in range(3)]
    candidates += [cand(f"x{i}", score=0.5 - i / 100) for i in range(4)]

    page = assemble(candidates, EVERYTHING, Rules(limit=7, hashtag_spacing=2, explore_positions=()))

    assert ids(page.items) == ["cat0", "x0", "x1", "cat1", "x2", "x3", "cat2"]


def test_the_hashtag_rule_gives_way_rather_than_return_a_short_page() -> None:
    """When only videos sharing a hashtag remain, they still fill the page (creators still alternate)."""
    candidates = [cand(f"cat{i}", tags=("cats",), score=0.9 - i / 100) for i in range(5)]

    page = assemble(candidates, EVERYTHING, Rules(limit=5, hashtag_spacing=2, explore_positions=()))

    assert ids(page.items) == [f"cat{i}" for i in range(5)]


def test_the_previous_pages_tail_keeps_the_rules_across_the_boundary() -> None:
    """Passing the last page's end keeps its creator from opening the next page back to back."""
    previous = cand("last", "ana")
    candidates = [cand("a1", "ana", score=0.9), cand("b1", "bo", score=0.5)]

    page = assemble(candidates, EVERYTHING, Rules(limit=1, explore_positions=()), tail=[previous])

    assert ids(page.items) == ["b1"]


def test_the_tail_never_leaves_the_next_page_empty() -> None:
    """If only the tail's creator remains, the next page still serves, so paging cannot stall."""
    page = assemble([cand("a1", "ana")], EVERYTHING, Rules(limit=5), tail=[cand("last", "ana")])

    assert ids(page.items) == ["a1"]


# -- exploration ------------------------------------------------------------------------------------------


def test_exploration_picks_go_to_their_fixed_positions_in_the_order_given() -> None:
    """Positions 3 and 8 (zero-based 2 and 7) hold the first exploration picks."""
    probes = [probe("e0"), probe("e1"), probe("e2")]

    page = assemble(ranked(20), EVERYTHING, Rules(limit=10, explore_positions=(2, 7)), explore=probes)

    assert [i for i, c in enumerate(page.items) if c.source is Source.EXPLORE] == [2, 7]
    assert ids(page.items)[2] == "e0"
    assert ids(page.items)[7] == "e1"
    assert len(page.items) == 10


def test_exploration_slots_are_capped_even_when_ranked_candidates_run_out() -> None:
    """At most as many picks as positions, so exploration never takes over a page."""
    probes = [probe(f"e{i}") for i in range(6)]

    page = assemble(ranked(2), EVERYTHING, Rules(limit=10, explore_positions=(2, 7)), explore=probes)

    assert sum(c.source is Source.EXPLORE for c in page.items) == 2
    assert ids(page.items) == ["r0", "r1", "e0", "e1"]


def test_exploration_picks_pass_the_same_filters_and_the_next_one_takes_the_slot() -> None:
    """A pick the person saw or may not see is skipped for the next pick, not for a ranked video."""
    probes = [probe("seen"), probe("blocked", "troll"), probe("ok")]
    filters = Filters(seen={"seen"}, blocked_creators={"troll"})

    page = assemble(ranked(10), filters, Rules(limit=5, explore_positions=(2,)), explore=probes)

    assert ids(page.items)[2] == "ok"
    assert not {"seen", "blocked"} & set(ids(page.items))


def test_an_exploration_pick_obeys_the_creator_rule_at_its_slot() -> None:
    """A pick from the creator just shown waits: the slot goes to the next pick that fits."""
    candidates = [cand("r0", score=0.9), cand("r1", "ana", score=0.8), cand("r2", score=0.7)]
    probes = [probe("e-ana", "ana"), probe("e-bo", "bo")]

    page = assemble(candidates, EVERYTHING, Rules(limit=3, explore_positions=(2,)), explore=probes)

    assert ids(page.items) == ["r0", "r1", "e-bo"]


# -- scoring and paging -----------------------------------------------------------------------------------


def test_model_scores_reorder_candidates_from_a_mapping_or_a_function() -> None:
    """The model's opinion, not the source's strength, orders the page; a video it lacks gets the default."""
    candidates = [cand("a", score=0.9), cand("b", score=0.1), cand("c", score=0.5)]

    from_mapping = score_with(candidates, {"a": 0.2, "b": 0.8}, default=0.5)
    from_function = score_with(candidates, lambda c: {"a": 1.0, "b": 3.0, "c": 2.0}[c.video_id])
    with_prior = score_with(candidates, {"a": 0.0, "b": 0.0, "c": 0.0}, prior_weight=2.0)

    assert ids(from_mapping) == ["b", "c", "a"]
    assert [c.score for c in from_mapping] == pytest.approx([0.8, 0.5, 0.2])
    assert ids(from_function) == ["b", "c", "a"]
    assert [c.score for c in with_prior] == pytest.approx([1.8, 1.0, 0.2])


def test_paging_with_everything_served_as_seen_walks_the_whole_pool_once() -> None:
    """No cursor: the caller adds each page to ``seen``; pages never repeat and end when the pool does."""
    pool = ranked(23)
    seen: frozenset[str] = frozenset()
    served: list[str] = []
    more = True
    while more:
        page = assemble(pool, Filters(seen=seen), Rules(limit=10, explore_positions=()))
        served += ids(page.items)
        seen = page.seen_after(seen)
        more = page.more

    assert served == [f"r{i}" for i in range(23)]
    assert seen == {f"r{i}" for i in range(23)}
