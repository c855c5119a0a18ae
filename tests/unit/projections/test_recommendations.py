"""Given events, then the For You state: the model learns from consenting people only, what anyone
watched counts as seen for a few days, a page's items only within its scroll, and every video's
exploration totals add up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.accounts.events import (
    ErasureRequested,
    PersonalisationConsentGiven,
    PersonalisationConsentWithdrawn,
)
from domain.engagement.likes import VideoLiked
from domain.events import DomainEvent
from domain.feeds import FeedServed
from domain.social import UserFollowed, UserUnfollowed
from domain.videos.events import VideoHidden, VideoPublished, VideoUploadCompleted
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from projections.models.recommendations import PROJECTOR
from read_models import recommendations as model
from recommend.model import CREATORS, HISTORY, NEIGHBOURS, SUMMED, UNIT, VIDEO, ModelConfig
from tests.unit.projections.world import World

ANN, BOB, CAT = (f"0190aaaa-bbbb-7ccc-8ddd-00000000000{c}" for c in "abc")
V1, V2, V3 = (f"0190aaaa-bbbb-7ccc-8ddd-00000000000{i}" for i in range(1, 4))


@pytest.fixture(params=[1, 3], ids=["one runner", "three partitions"])
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """Every scenario projected by one runner, and by three partitions one after another."""
    w = World(tmp_path, parts=request.param)
    w.given(
        *(
            VideoPublished(v, CAT, "clip", [tag], "public", True)
            for v, tag in ((V1, "cats"), (V2, "cats"), (V3, "dogs"))
        ),
        stream="videos",
    )
    yield w
    w.close()


def project(world: World, *events: DomainEvent) -> None:
    world.given(*events)
    world.project(PROJECTOR)


def history(world: World, user_id: str) -> dict[str, float]:
    return dict(model.model_record(world.store, HISTORY, user_id) or [])


def seen(world: World, user_id: str, scroll_from: int | None = None) -> set[str]:
    return model.seen(world.store, user_id, now=time.time(), scroll_from=scroll_from)


def test_without_consent_nothing_is_learned_but_totals_count_and_what_was_watched_is_seen(
    world: World,
) -> None:
    project(
        world,
        ViewStarted("c1", ANN, V1),
        VideoLiked(ANN, V3),
        FeedServed("p1", ANN, False, [{"video_id": V2}]),
    )
    assert model.consents(world.store, ANN) is False
    assert history(world, ANN) == {}
    # Then what Ann watched or liked stays out of her feed once she consents; the page she was
    # served (not personalised) does not count
    assert seen(world, ANN, scroll_from=0) == {V1, V3}
    totals = model.exploration(world.store, [V1, V3])
    assert (totals[V1].impressions, totals[V3].likes) == (1, 1)


def test_a_consenting_persons_likes_and_skips_enter_their_history(world: World) -> None:
    project(world, PersonalisationConsentGiven(ANN), VideoLiked(ANN, V1), VideoSkipped("s1", ANN, V3, 900))
    learned = history(world, ANN)
    assert learned[V1] > 0 > learned[V3]
    assert seen(world, ANN) == {V1, V3}


def test_two_people_who_like_the_same_videos_make_them_neighbours(world: World) -> None:
    project(
        world,
        PersonalisationConsentGiven(ANN),
        PersonalisationConsentGiven(BOB),
        VideoLiked(ANN, V1),
        VideoLiked(ANN, V2),
        VideoLiked(BOB, V1),
        VideoLiked(BOB, V2),
    )
    neighbours = dict(model.model_record(world.store, NEIGHBOURS, V1) or [])
    assert set(neighbours) == {V2}
    # And each person's pair counts, wherever their records are kept: the shards add up
    pair = round(UNIT / 2 ** ModelConfig().user_damping)
    assert neighbours[V2] == 2 * pair
    assert dict(model.model_record(world.store, VIDEO, V2) or []) == {"positives": 2.0}


def test_everyones_views_and_completions_count_once_each(world: World) -> None:
    # Given three people (of different partitions) view a video and one completes it
    project(
        world,
        *(ViewStarted(f"c-{user}", user, V1) for user in (ANN, BOB, CAT)),
        WatchProgressed("w1", BOB, V1, 15_000, 15_000, True, False),
    )
    # Then its totals count each once
    totals = model.exploration(world.store, [V1])[V1]
    assert (totals.impressions, totals.completions) == (3, 1)


def test_a_watch_counts_its_share_and_a_completion_counts_for_exploration(world: World) -> None:
    project(
        world,
        PersonalisationConsentGiven(ANN),
        VideoUploadCompleted(V1, CAT, "up", 10, 10_000, 360, 640),
        WatchProgressed("w1", ANN, V1, 5_000, 5_000, False, False),
        WatchProgressed("w2", ANN, V2, 15_000, 15_000, True, False),
    )
    learned = history(world, ANN)
    assert learned[V1] == pytest.approx(0.5)
    assert learned[V2] == pytest.approx(1.0)
    assert model.exploration(world.store, [V2])[V2].completions == 1


def test_a_follow_by_a_consenting_person_teaches_their_taste_for_the_creator(world: World) -> None:
    project(world, UserFollowed(BOB, CAT), PersonalisationConsentGiven(ANN), UserFollowed(ANN, CAT))
    assert dict(model.model_record(world.store, CREATORS, ANN) or []) == {CAT: 3.0}
    assert model.model_record(world.store, CREATORS, BOB) is None
    project(
        world,
        UserUnfollowed(ANN, CAT, "unfollowed"),
        PersonalisationConsentGiven(BOB),
        UserUnfollowed(BOB, CAT, "unfollowed"),
    )
    assert model.model_record(world.store, CREATORS, ANN) is None
    assert model.model_record(world.store, CREATORS, BOB) is None


def test_served_items_count_as_seen_within_their_scroll_only(world: World) -> None:
    # Given a first page, and a later page of another scroll
    world.given(PersonalisationConsentGiven(ANN))
    first = world.given(FeedServed("p1", ANN, True, [{"video_id": V1}, {"video_id": V3}]))
    later = world.given(FeedServed("p2", ANN, True, [{"video_id": V2}]))
    world.project(PROJECTOR)
    # Then the scroll that began with the first page skips both pages' items
    assert seen(world, ANN, scroll_from=first) == {V1, V2, V3}
    # the scroll that began later only its own
    assert seen(world, ANN, scroll_from=later) == {V2}
    # and a new scroll may offer again what was served but never watched
    assert seen(world, ANN) == set()


def test_a_watched_video_stays_seen_when_a_later_page_serves_it(world: World) -> None:
    project(world, PersonalisationConsentGiven(ANN), ViewStarted("c1", ANN, V1))
    project(world, FeedServed("p1", ANN, True, [{"video_id": V1}]))
    assert seen(world, ANN) == {V1}


def test_erasure_deletes_what_the_person_saw(world: World) -> None:
    project(world, ViewStarted("c1", ANN, V1), ViewStarted("c2", BOB, V1))
    project(world, ErasureRequested(ANN, ANN))
    assert seen(world, ANN) == set()
    assert seen(world, BOB) == {V1}


@pytest.mark.parametrize(
    "ending", [PersonalisationConsentWithdrawn(ANN), ErasureRequested(ANN, ANN)], ids=["withdrawn", "erased"]
)
def test_withdrawing_consent_forgets_what_was_learned_about_the_person(
    world: World, ending: DomainEvent
) -> None:
    project(world, PersonalisationConsentGiven(ANN), VideoLiked(ANN, V1))
    project(world, ending, VideoLiked(ANN, V2))
    assert history(world, ANN) == {}
    assert model.consents(world.store, ANN) is False


def test_videos_are_listed_until_hidden(world: World) -> None:
    world.project(PROJECTOR)
    assert model.videos(world.store, [V1])[V1].listed is True
    project(world, VideoHidden(V1, CAT, BOB, "spam"))
    assert model.videos(world.store, [V1])[V1].listed is False
    assert model.videos(world.store, [V1])[V1].hashtags == ("cats",)


def test_a_replay_from_the_start_learns_the_same_model(world: World) -> None:
    project(
        world,
        PersonalisationConsentGiven(ANN),
        VideoLiked(ANN, V1),
        VideoLiked(ANN, V2),
        VideoSkipped("s", ANN, V3, 500),
    )
    before = history(world, ANN), model.model_record(world.store, NEIGHBOURS, V1)
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert (history(world, ANN), model.model_record(world.store, NEIGHBOURS, V1)) == before


def test_the_read_model_sums_the_records_the_model_says_are_sums() -> None:
    # Given the model's kinds of record many people feed, Then the read model adds up their shards
    assert model.SUMMED_KINDS == SUMMED
