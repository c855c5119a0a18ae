"""The online ranking model on tiny made-up histories: what one interaction changes, at once."""

from __future__ import annotations

import random

import numpy as np

from recommend.model import HISTORY, NEIGHBOURS, SUMMED, ModelConfig, RankingModel
from recommend.signals import Interaction, Signal
from recommend.state import InMemoryState


def event(user: str, video: str, signal: Signal = Signal.COMPLETE) -> Interaction:
    return Interaction(user, video, signal, at=0.0)


def co_engaged_world(state: InMemoryState | None = None) -> RankingModel:
    """v1 and v2 engaged together by three people, v3 and v4 together by two others; v9 popular alone."""
    model = RankingModel(state or InMemoryState())
    for user in ("a", "b", "c"):
        model.observe(event(user, "v1"))
        model.observe(event(user, "v2"))
    for user in ("d", "e"):
        model.observe(event(user, "v3"))
        model.observe(event(user, "v4"))
    for user in ("f", "g", "h", "i"):
        model.observe(event(user, "v9"))
    return model


def score(model: RankingModel, user: str, video: str, candidates: tuple[str, ...]) -> float:
    return model.scores(user, list(candidates))[candidates.index(video)]


CANDIDATES = ("v1", "v2", "v3", "v4", "v9")


def test_videos_engaged_by_the_same_people_become_neighbours() -> None:
    model = co_engaged_world()
    assert [video for video, _ in model.similar("v1", 5)] == ["v2"]
    assert [video for video, _ in model.similar("v3", 5)] == ["v4"]
    assert model.similar("v9", 5) == []


def test_a_like_raises_the_videos_neighbours_at_once() -> None:
    model = co_engaged_world()
    before = score(model, "new", "v2", CANDIDATES)
    model.observe(event("new", "v1", Signal.LIKE))
    scores = dict(zip(CANDIDATES, model.scores("new", list(CANDIDATES)), strict=True))
    assert scores["v2"] > before
    assert scores["v2"] > max(scores["v3"], scores["v4"], scores["v9"])


def test_a_person_with_no_history_gets_the_popular_videos_first() -> None:
    scores = co_engaged_world().scores("nobody", list(CANDIDATES))
    assert max(range(len(CANDIDATES)), key=scores.__getitem__) == CANDIDATES.index("v9")


def test_skips_and_reports_lower_the_video_and_its_neighbours_reports_more() -> None:
    lowered = {}
    for signal in (Signal.SKIP, Signal.REPORT):
        model = co_engaged_world()
        model.observe(event("u", "v3"))
        before = model.scores("u", list(CANDIDATES))
        model.observe(event("u", "v1", signal))
        after = model.scores("u", list(CANDIDATES))
        assert after[CANDIDATES.index("v1")] < before[CANDIDATES.index("v1")]
        assert after[CANDIDATES.index("v2")] < before[CANDIDATES.index("v2")]
        lowered[signal] = after[CANDIDATES.index("v2")]
    assert lowered[Signal.REPORT] < lowered[Signal.SKIP]


def test_an_unlike_takes_back_the_co_engagement_the_like_made() -> None:
    model = RankingModel(InMemoryState())
    model.observe(event("u", "x", Signal.LIKE))
    model.observe(event("u", "y", Signal.LIKE))
    assert model.similar("x", 5)[0][0] == "y"
    model.observe(event("u", "y", Signal.UNLIKE))
    assert model.similar("x", 5) == []


def test_a_view_teaches_nothing() -> None:
    state = InMemoryState()
    RankingModel(state).observe(event("u", "x", Signal.VIEW))
    assert state.sizes() == {}


def test_content_ranks_unwatched_videos_like_the_ones_liked() -> None:
    model = co_engaged_world()
    model.describe("cold-similar", features=np.array([1.0, 0.1, 0.0], dtype=np.float32))
    model.describe("cold-other", features=np.array([0.0, 0.0, 1.0], dtype=np.float32))
    model.observe(event("u", "v1"), features=np.array([1.0, 0.0, 0.0], dtype=np.float32))
    similar, other = model.scores("u", ["cold-similar", "cold-other"])
    assert similar > other


def test_hashtags_alone_make_videos_alike() -> None:
    model = RankingModel(InMemoryState())
    model.describe("cats-2", hashtags=["#cats", "#funny"])
    model.describe("cars", hashtags=["#cars"])
    model.observe(event("u", "cats-1"), hashtags=["#Cats", "#funny"])
    cats, cars = model.scores("u", ["cats-2", "cars"])
    assert cats > cars


def test_liking_a_creators_video_raises_their_other_videos() -> None:
    model = co_engaged_world()
    for video, owner in (("p1", "alice"), ("p2", "alice"), ("q1", "bob")):
        model.describe(video, owner_id=owner)
    model.observe(event("u", "p1", Signal.LIKE), owner_id="alice")
    theirs, others = model.scores("u", ["p2", "q1"])
    assert theirs > others


def test_a_follow_raises_the_creators_videos_and_an_unfollow_takes_it_back() -> None:
    model = co_engaged_world()
    for video, owner in (("p1", "alice"), ("q1", "bob")):
        model.describe(video, owner_id=owner)
    before = model.scores("u", ["p1", "q1"])
    model.follow("u", "alice", following=True)
    theirs, others = model.scores("u", ["p1", "q1"])
    assert theirs > others
    model.follow("u", "alice", following=False)
    assert model.scores("u", ["p1", "q1"]) == before


def mixed_history(model: RankingModel) -> None:
    model.describe("cold", features=np.array([1.0, 2.0], dtype=np.float32))
    model.observe(event("u", "v1"), features=np.array([1.0, 2.0], dtype=np.float32), owner_id="alice")
    model.observe(event("u", "v3", Signal.SKIP))
    model.observe(event("u", "v2", Signal.LIKE))
    model.observe(event("u", "v2", Signal.UNLIKE))


def test_the_state_survives_a_restart_through_the_port() -> None:
    state = InMemoryState()
    model = co_engaged_world(state)
    mixed_history(model)
    restarted = RankingModel(InMemoryState.load(state.dump()))
    candidates = [*CANDIDATES, "cold"]
    assert restarted.scores("u", candidates) == model.scores("u", candidates)
    assert restarted.similar("v1", 5) == model.similar("v1", 5)


def test_every_change_is_put_back_through_the_port() -> None:
    """A store that copies on every get and put learns exactly what the shared dictionaries do."""
    plain, copying = InMemoryState(), InMemoryState(copying=True)
    for state in (plain, copying):
        mixed_history(co_engaged_world(state))
    assert copying.dump() == plain.dump()


def test_the_same_events_in_the_same_order_give_the_same_state() -> None:
    first, second = InMemoryState(), InMemoryState()
    for state in (first, second):
        mixed_history(co_engaged_world(state))
    assert first.dump() == second.dump()


def test_state_stays_bounded_however_much_one_person_watches() -> None:
    config = ModelConfig(history=5, neighbours=3, creators=2, pair_window=4)
    state = InMemoryState()
    model = RankingModel(state, config)
    for n in range(200):
        model.observe(event("heavy", f"v{n}"), owner_id=f"creator{n}")
        model.observe(event(f"light{n % 7}", f"v{n}"))
        model.observe(event(f"light{n % 7}", f"v{(n * 13) % 200}"))
    assert state.longest("history") == 5
    assert state.longest("creators") == 2
    assert state.longest(NEIGHBOURS) <= 2 * 3


def test_records_many_people_feed_kept_in_parts_add_up_to_the_whole_exactly() -> None:
    # Given people liking, unliking, skipping and finishing videos (takings back sometimes larger than
    # what was added), learned by one model, and by two whose states each hold some people's records
    rng = random.Random(7)
    signals = (Signal.LIKE, Signal.UNLIKE, Signal.SKIP, Signal.COMPLETE, Signal.REPORT)
    users, videos = [f"u{n}" for n in range(6)], [f"v{n}" for n in range(8)]
    whole, parts = InMemoryState(), (InMemoryState(), InMemoryState())
    for _ in range(400):
        user = rng.choice(users)
        interaction = event(user, rng.choice(videos), rng.choice(signals))
        RankingModel(whole).learn(interaction)
        RankingModel(parts[users.index(user) % 2]).learn(interaction)
    # Then each record many people feed is its parts added up, to the last digit
    for kind in SUMMED:
        for video in videos:
            [expected] = whole.records(kind, [video])
            total: dict[str, float] = {}
            for part in parts:
                for name, amount in part.records(kind, [video])[0].items():
                    total[name] = total.get(name, 0.0) + amount
            assert {k: v for k, v in total.items() if v} == {k: v for k, v in expected.items() if v}, video
    # and the people's own records are each in one part only, as they are in the whole
    assert all(parts[users.index(u) % 2].records(HISTORY, [u]) == whole.records(HISTORY, [u]) for u in users)
