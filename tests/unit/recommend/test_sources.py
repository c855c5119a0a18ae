"""Candidate sources: each turns plain rows into candidates with the right source, reason and strength."""

from __future__ import annotations

import pytest

from recommend import sources
from recommend.candidates import Candidate, Source, Video, merge
from recommend.signals import Interaction, Signal
from recommend.sources import DAY, Related, Scored, Seed

NOW = 1_700_000_000.0


def video(video_id: str, owner_id: str = "owner", tags: tuple[str, ...] = (), age: float = 0.0) -> Video:
    return Video(video_id, owner_id, tags, NOW - age)


def by_id(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {c.video_id: c for c in candidates}


# -- following and fresh --------------------------------------------------------------------------------


def test_following_puts_a_followed_creators_newest_video_first_and_names_them() -> None:
    """Followed creators' new work surfaces newest first, and the reason says whom it is from."""
    old, new = video("old", "ana", age=2 * DAY), video("new", "ana", age=0.0)

    found = sources.following([old, new], NOW, handles={"ana": "ana_dances"})

    assert [c.video_id for c in found] == ["new", "old"]
    assert found[0].score == pytest.approx(1.0)
    assert found[1].score == pytest.approx(0.25)  # two half-lives old
    assert {c.source for c in found} == {Source.FOLLOWING}
    assert found[0].reason == "from @ana_dances, whom you follow"


def test_following_without_a_known_handle_still_gives_a_readable_reason() -> None:
    """A missing handle never leaks an id into the text a client shows."""
    (found,) = sources.following([video("v", "user-123")], NOW)

    assert found.reason == "from a creator you follow"
    assert "user-123" not in found.reason


def test_fresh_videos_are_newest_first_with_the_new_on_strom_reason() -> None:
    """The non-personal fallback favours what was just published."""
    found = sources.fresh([video("a", age=DAY), video("b", age=0.0)], NOW)

    assert [c.video_id for c in found] == ["b", "a"]
    assert found[1].score == pytest.approx(0.5)
    assert {(c.source, c.reason) for c in found} == {(Source.FRESH, "new on Strom")}


# -- trending -------------------------------------------------------------------------------------------


def test_trending_scores_relative_to_the_top_and_drops_videos_without_engagement() -> None:
    """Scores from the trending read model become strengths in [0, 1]; zero mass is no trend at all."""
    rows = [Scored(video("top"), 12.0), Scored(video("half"), 6.0), Scored(video("none"), 0.0)]

    found = by_id(sources.trending(rows))

    assert set(found) == {"top", "half"}
    assert found["top"].score == pytest.approx(1.0)
    assert found["half"].score == pytest.approx(0.5)
    assert found["top"].reason == "trending now"
    assert found["top"].source is Source.TRENDING


def test_hashtag_trending_weights_each_list_by_how_much_the_person_likes_the_hashtag() -> None:
    """A person who likes #cats twice as much as #dogs sees #cats' top ahead of #dogs' top."""
    lists = {"cats": [Scored(video("c1"), 10.0)], "dogs": [Scored(video("d1"), 50.0)]}

    found = by_id(sources.hashtag_trending(lists, {"cats": 4.0, "dogs": 2.0}))

    assert found["c1"].score == pytest.approx(1.0)
    assert found["d1"].score == pytest.approx(0.5)
    assert found["c1"].reason == "popular in #cats"
    assert found["c1"].source is Source.HASHTAG


def test_hashtag_trending_ignores_lists_of_hashtags_the_person_dislikes() -> None:
    """A fetched list for a disliked hashtag contributes nothing."""
    lists = {"cats": [Scored(video("c1"), 1.0)], "gore": [Scored(video("g1"), 99.0)]}

    found = by_id(sources.hashtag_trending(lists, {"cats": 1.0, "gore": -5.0}))

    assert set(found) == {"c1"}


def test_a_video_trending_in_two_liked_hashtags_keeps_its_stronger_reason() -> None:
    """Deduplication keeps one proposal per video: the strongest, with its reason."""
    shared = video("both")
    lists = {
        "cats": [Scored(shared, 1.0)],
        "memes": [Scored(video("m1"), 4.0), Scored(shared, 1.0)],
    }

    (both,) = [
        c for c in sources.hashtag_trending(lists, {"cats": 1.0, "memes": 1.0}) if c.video_id == "both"
    ]

    assert both.reason == "popular in #cats"
    assert both.score == pytest.approx(1.0)


# -- neighbours and similar -----------------------------------------------------------------------------


def test_neighbours_sum_the_seeds_and_name_the_seed_that_contributed_most() -> None:
    """A video close to two things the person loved beats one close to one; the reason names the
    creator of the seed that weighed most."""
    seeds = [Seed("s1", "ana", 3.0), Seed("s2", "bo", 1.0)]
    related = [
        Related("s1", video("twice"), 0.5),
        Related("s2", video("twice"), 0.5),
        Related("s2", video("once"), 1.0),
    ]

    found = sources.neighbours(seeds, related, handles={"ana": "ana", "bo": "bo"})

    assert [c.video_id for c in found] == ["twice", "once"]
    assert found[0].score == pytest.approx(1.0)
    assert found[1].score == pytest.approx(0.5)
    assert found[0].reason == "because you liked @ana's video"
    assert found[1].reason == "because you liked @bo's video"
    assert {c.source for c in found} == {Source.NEIGHBOURS}


def test_neighbours_never_propose_a_seed_and_drop_what_disliked_seeds_outweigh() -> None:
    """What the person engaged with is not recommended back; a video mostly near what they reported is
    not proposed at all."""
    seeds = [Seed("liked", "ana", 1.0), Seed("reported", "bo", -6.0)]
    related = [
        Related("liked", video("reported"), 0.9),  # a seed is never proposed
        Related("liked", video("kept"), 0.5),
        Related("liked", video("mixed"), 0.5),
        Related("reported", video("mixed"), 0.5),
        Related("unknown-seed", video("stray"), 1.0),
    ]

    found = by_id(sources.neighbours(seeds, related))

    assert set(found) == {"kept"}
    assert found["kept"].reason == "because you liked a similar video"


def test_similar_marks_its_candidates_as_content_similarity() -> None:
    """Content similarity is recorded as its own source, so its value can be measured apart."""
    (found,) = sources.similar([Seed("s", "ana", 2.0)], [Related("s", video("unwatched"), 0.8)])

    assert found.source is Source.SIMILAR
    assert found.score == pytest.approx(1.0)


# -- merging --------------------------------------------------------------------------------------------


def test_merge_keeps_one_candidate_per_video_the_strongest_and_on_a_tie_the_more_personal() -> None:
    """Sources overlap; a video appears once, with the reason of the strongest proposal."""
    v = video("v", "ana")
    trending = Candidate.of(v, Source.TRENDING, "trending now", 0.7)
    followed = Candidate.of(v, Source.FOLLOWING, "from @ana, whom you follow", 0.7)
    weaker = Candidate.of(v, Source.FRESH, "new on Strom", 0.2)
    other = Candidate.of(video("w"), Source.FRESH, "new on Strom", 0.9)

    merged = merge([weaker, trending], [followed, other])

    assert [(c.video_id, c.source) for c in merged] == [("w", Source.FRESH), ("v", Source.FOLLOWING)]


# -- taste ----------------------------------------------------------------------------------------------


def test_engagement_by_video_nets_signals_and_halves_with_age() -> None:
    """Recent taste counts more than old taste, and an unlike takes back a like."""
    interactions = [
        Interaction("u", "a", Signal.LIKE, at=NOW),
        Interaction("u", "b", Signal.LIKE, at=NOW - 7 * DAY),
        Interaction("u", "c", Signal.LIKE, at=NOW),
        Interaction("u", "c", Signal.UNLIKE, at=NOW),
        Interaction("u", "d", Signal.REPORT, at=NOW),
    ]

    net = sources.engagement_by_video(interactions, NOW, half_life=7 * DAY)

    assert net == pytest.approx({"a": 3.0, "b": 1.5, "c": 0.0, "d": -6.0})


def test_hashtag_affinities_add_up_the_engagement_with_videos_carrying_each_tag() -> None:
    """A tag's affinity is the net engagement with its videos, so likes and reports cancel."""
    affinities = sources.hashtag_affinities([(("cats", "fun"), 3.0), (("cats",), 1.0), (("fun",), -6.0)])

    assert affinities == {"cats": 4.0, "fun": -3.0}


def test_taste_hashtags_picks_the_most_liked_never_a_disliked_one() -> None:
    """Which per-hashtag trending lists are fetched: top k liked, stable under ties, none disliked."""
    affinities = {"cats": 5.0, "dogs": 2.0, "birds": 2.0, "gore": -4.0, "meh": 0.0}

    assert sources.taste_hashtags(affinities, k=3) == ["cats", "birds", "dogs"]
    assert sources.taste_hashtags(affinities, k=10) == ["cats", "birds", "dogs"]
    assert sources.taste_hashtags({"gore": -1.0}) == []


def test_clearly_disliked_hashtags_keep_their_videos_out_of_the_candidates() -> None:
    """A person who reported #gore videos is not proposed other #gore videos by any source."""
    disliked = sources.disliked_hashtags({"gore": -6.0, "meh": -1.0, "cats": 3.0})
    candidates = [
        Candidate.of(video("g", tags=("fun", "gore")), Source.TRENDING, "trending now", 1.0),
        Candidate.of(video("m", tags=("meh",)), Source.TRENDING, "trending now", 1.0),
    ]

    kept = sources.without_hashtags(candidates, disliked)

    assert disliked == {"gore"}
    assert [c.video_id for c in kept] == ["m"]
