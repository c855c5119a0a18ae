"""Exploration of new videos: Thompson sampling under a budget, so good new videos rise and bad ones stop."""

from __future__ import annotations

import random

import pytest

from recommend.candidates import Source, Video
from recommend.exploration import Evidence, Policy, Stage, explore, posterior, rises, stage

POLICY = Policy(budget=150, min_impressions=20, retire_below=0.15, promote_above=0.3)


def video(video_id: str, owner_id: str = "owner") -> Video:
    return Video(video_id, owner_id, (), 0.0)


def test_an_untried_video_is_explored_with_a_new_on_strom_reason() -> None:
    """A video nobody has seen yet gets a chance: it is among the picks, marked as exploration."""
    result = explore([video("v")], {}, random.Random(1), POLICY)

    (pick,) = result.picks
    assert (pick.video_id, pick.source, pick.reason) == ("v", Source.EXPLORE, "new on Strom")
    assert 0.0 <= pick.score <= 1.0


def test_a_new_creators_video_says_so() -> None:
    """The client can tell the viewer they are among a creator's first audience."""
    result = explore([video("v", "newbie")], {}, random.Random(1), POLICY, new_creators={"newbie"})

    assert result.picks[0].reason == "new creator"


def test_a_video_that_spent_its_budget_gets_no_more_exploration_impressions() -> None:
    """The budget caps what exploration costs per video, however uncertain it still is."""
    spent = Evidence(impressions=150, completions=30)
    result = explore([video("spent"), video("fresh")], {"spent": spent}, random.Random(1), POLICY)

    assert stage(spent, POLICY) is Stage.SETTLED
    assert [p.video_id for p in result.picks] == ["fresh"]
    assert "spent" not in result.retired


def test_a_confidently_poor_video_is_retired_but_not_before_enough_impressions() -> None:
    """Early bad luck does not bury a video; enough evidence of a poor rate stops it for good."""
    unlucky = Evidence(impressions=10, completions=0)
    poor = Evidence(impressions=60, completions=1, likes=1)
    evidence = {"unlucky": unlucky, "poor": poor}

    result = explore([video("unlucky"), video("poor")], evidence, random.Random(1), POLICY)

    assert stage(unlucky, POLICY) is Stage.EXPLORING
    assert stage(poor, POLICY) is Stage.RETIRED
    assert result.retired == {"poor"}
    assert [p.video_id for p in result.picks] == ["unlucky"]


def test_a_confidently_good_video_rises_into_the_ranked_pool_with_its_posterior_mean() -> None:
    """A new video people complete rises beyond the exploration slots, scored by its observed rate."""
    good = Evidence(impressions=30, completions=20, likes=5)

    result = explore([video("good")], {"good": good}, random.Random(1), POLICY)

    (promoted,) = result.promoted
    assert rises(good, POLICY)
    assert promoted.source is Source.FRESH
    assert promoted.score == pytest.approx(21 / 32)
    assert [p.video_id for p in result.picks] == ["good"]  # still under budget: still explored


def test_successes_count_completions_or_likes_never_more_than_impressions() -> None:
    """Counts cannot tell likers from completers apart, so the union's lower bound is used."""
    assert Evidence(impressions=10, completions=4, likes=6).successes == 6
    assert Evidence(impressions=3, completions=5, likes=0).successes == 3
    assert posterior(Evidence(impressions=10, completions=4), POLICY) == (5.0, 7.0)


def test_the_same_seed_gives_the_same_picks_whatever_order_the_pool_came_in() -> None:
    """Replays and tests are reproducible: draws depend on the seed, not on the pool's order."""
    pool = [video(f"v{i}") for i in range(8)]
    evidence = {f"v{i}": Evidence(impressions=i * 5, completions=i) for i in range(8)}

    first = explore(pool, evidence, random.Random(42), POLICY).picks
    again = explore(list(reversed(pool)), evidence, random.Random(42), POLICY).picks
    orders = {
        tuple(p.video_id for p in explore(pool, evidence, random.Random(s), POLICY).picks) for s in range(20)
    }

    assert first == again
    assert len(orders) > 1  # the seed matters: sampling, not a fixed ranking


def test_simulated_rounds_send_exploration_to_the_good_video_and_stop_the_bad_one() -> None:
    """With true engagement rates 0.6 and 0.05 competing for one exploration slot per page, the good
    video takes most impressions and rises, and the bad one is retired and no longer shown."""
    rates = {"good": 0.6, "bad": 0.05}
    pool = [video(v) for v in rates]
    for seed in range(5):
        sampler, world = random.Random(seed), random.Random(1000 + seed)
        evidence = {v: Evidence() for v in rates}
        shown: list[str | None] = []  # per round, the video in the slot
        for _ in range(300):
            picks = explore(pool, evidence, sampler, POLICY).picks
            shown.append(picks[0].video_id if picks else None)
            if not picks:
                continue
            chosen = picks[0].video_id
            seen = evidence[chosen]
            engaged = world.random() < rates[chosen]
            evidence[chosen] = Evidence(seen.impressions + 1, seen.completions + engaged, seen.likes)

        assert evidence["good"].impressions > 3 * evidence["bad"].impressions
        assert rises(evidence["good"], POLICY)
        assert stage(evidence["bad"], POLICY) is Stage.RETIRED
        assert "bad" not in shown[-50:]
