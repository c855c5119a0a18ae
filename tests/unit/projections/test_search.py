"""Given account and video events, then the search index's rows: creators, hashtags and caption
words of listed public videos only, nothing of an erased person, the same after a replay."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.accounts.events import ErasureRequested, ProfileChanged, UserRegistered
from domain.videos.events import (
    VideoDeleted,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from projections.models.search import PROJECTOR
from read_models import search as model
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
BOB = "0190aaaa-bbbb-7ccc-8ddd-00000000000b"
V1 = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
V2 = "0190aaaa-bbbb-7ccc-8ddd-000000000002"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def registered(user_id: str, handle: str, name: str) -> UserRegistered:
    return UserRegistered(user_id, handle, f"{handle}@example.com", "hash", name)


def published(video_id: str, caption: str, tags: list[str], visibility: str = "public") -> VideoPublished:
    return VideoPublished(video_id, ANN, caption, tags, visibility, True)


def found(world: World, kind: str, q: str) -> list[str]:
    return [m.id for m in model.distinct(model.matches(world.store, kind, model.fold(q), 100).items)]


def test_a_creator_is_found_by_handle_and_name_prefix_whatever_the_case_and_accents(world: World) -> None:
    # Given a person registered as "José Núñez"
    world.given(registered(ANN, "Jose_N", "José Núñez"), stream=f"user-{ANN}")
    # When the index is built
    world.project(PROJECTOR)
    # Then prefixes of the handle and of each name word find them, however typed
    for q in ("jos", "JOSE_", "JOSÉ", "nun", "Núñ"):
        assert found(world, model.CREATOR, q) == [ANN], q
    assert found(world, model.CREATOR, "xyz") == []
    assert model.holder_of(world.store, "jose_n") == ANN


def test_a_name_change_replaces_the_name_words(world: World) -> None:
    # Given ann renamed herself
    world.given(
        registered(ANN, "ann", "Ann Lee"), ProfileChanged(ANN, "Mira Kovač", None), stream=f"user-{ANN}"
    )
    world.project(PROJECTOR)
    # Then her new name finds her, the old one no longer does
    assert found(world, model.CREATOR, "kovac") == [ANN]
    assert found(world, model.CREATOR, "lee") == []
    assert found(world, model.CREATOR, "ann") == [ANN]  # the handle stays


def test_only_listed_public_videos_have_their_hashtags_and_caption_words_indexed(world: World) -> None:
    # Given a public video and a followers-only one, then a private one
    world.given(registered(ANN, "ann", "Ann"), stream=f"user-{ANN}")
    world.given(published(V1, "Sunset dancing on the beach", ["dance"]), stream=f"video-{V1}")
    world.given(published(V2, "secret dance party", ["dancefloor"], "followers"), stream=f"video-{V2}")
    world.project(PROJECTOR)
    # Then only the public one is found, by hashtag prefix and caption word prefix
    assert found(world, model.HASHTAG, "dan") == [V1]
    assert found(world, model.VIDEO, "danc") == [V1]
    assert found(world, model.VIDEO, "secret") == []
    # When it turns private
    world.given(VideoEdited(V1, ANN, "Sunset dancing", ["dance"], "private", True), stream=f"video-{V1}")
    world.project(PROJECTOR)
    # Then nothing of it is found
    assert found(world, model.HASHTAG, "dance") == []
    assert found(world, model.VIDEO, "sunset") == []


def test_hidden_unpublished_and_deleted_videos_leave_the_index_and_restored_ones_come_back(
    world: World,
) -> None:
    world.given(registered(ANN, "ann", "Ann"), stream=f"user-{ANN}")
    world.given(published(V1, "Sunset", ["dance"]), stream=f"video-{V1}")
    # When a moderator hides it
    world.given(VideoHidden(V1, ANN, BOB, "spam"), stream=f"video-{V1}")
    world.project(PROJECTOR)
    assert found(world, model.HASHTAG, "dance") == []
    # When restored, it is found again
    world.given(VideoRestored(V1, ANN, BOB, "fine"), stream=f"video-{V1}")
    world.project(PROJECTOR)
    assert found(world, model.HASHTAG, "dance") == [V1]
    assert found(world, model.VIDEO, "sunset") == [V1]
    # When unpublished, then deleted
    world.given(VideoUnpublished(V1, ANN), stream=f"video-{V1}")
    world.project(PROJECTOR)
    assert found(world, model.VIDEO, "sunset") == []
    world.given(VideoDeleted(V1, ANN), VideoRestored(V1, ANN, BOB, "x"), stream=f"video-{V1}")
    world.project(PROJECTOR)
    assert found(world, model.HASHTAG, "dance") == []


def test_an_erasure_removes_the_persons_handle_name_and_captions(world: World) -> None:
    # Given ann with a public video, and bob
    world.given(registered(ANN, "ann_k", "Ann Kovač"), stream=f"user-{ANN}")
    world.given(registered(BOB, "bob", "Bob Kovač"), stream=f"user-{BOB}")
    world.given(published(V1, "Sunset dancing", ["dance"]), stream=f"video-{V1}")
    world.project(PROJECTOR)
    assert sorted(found(world, model.CREATOR, "kovac")) == sorted([ANN, BOB])
    # When ann is erased (the request, then her key shredded)
    world.given(ErasureRequested(ANN, ANN, "e1"), stream=f"user-{ANN}")
    world.keys.erase(ANN)
    world.project(PROJECTOR)
    # Then nothing of hers is found, bob still is
    assert found(world, model.CREATOR, "kovac") == [BOB]
    assert found(world, model.CREATOR, "ann") == []
    assert found(world, model.HASHTAG, "dance") == []
    assert found(world, model.VIDEO, "sunset") == []
    assert model.holder_of(world.store, "ann_k") is None
    # And a replay from the start, with her key gone, writes none of it back
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert found(world, model.CREATOR, "kovac") == [BOB]
    assert found(world, model.VIDEO, "sunset") == []
    terms = world.table(PROJECTOR, "search_terms")
    assert {r["owner_id"] for r in world.store.scan(terms)} == {BOB}


def test_a_rebuild_after_the_key_is_shredded_indexes_nothing_of_the_person(world: World) -> None:
    # Given ann's events, her key shredded before the index ever saw them
    world.given(registered(ANN, "ann", "Ann"), stream=f"user-{ANN}")
    world.given(published(V1, "Sunset", ["dance"]), stream=f"video-{V1}")
    world.keys.erase(ANN)
    # When the index is built
    world.project(PROJECTOR)
    # Then it holds no row of hers
    assert list(world.store.scan(world.table(PROJECTOR, "search_terms"))) == []
    assert model.holder_of(world.store, "ann") is None


def test_a_replay_writes_the_same_rows(world: World) -> None:
    # Given a history of edits
    world.given(registered(ANN, "ann", "Ann"), stream=f"user-{ANN}")
    world.given(
        published(V1, "one two", ["a"]),
        VideoEdited(V1, ANN, "two three", ["b"], "public", True),
        stream=f"video-{V1}",
    )
    world.project(PROJECTOR)
    terms = world.table(PROJECTOR, "search_terms")
    first = sorted((r["kind"], r["term"]) for r in world.store.scan(terms))
    # When everything replays onto the rows
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    # Then the rows are those of the last edit, as before
    assert sorted((r["kind"], r["term"]) for r in world.store.scan(terms)) == first
    assert first == [("creator", "ann"), ("hashtag", "b"), ("video", "three"), ("video", "two")]


def test_a_hashtags_page_lists_its_videos_newest_first(world: World) -> None:
    world.given(registered(ANN, "ann", "Ann"), stream=f"user-{ANN}")
    world.given(published(V1, "first", ["dance"]), stream=f"video-{V1}")
    time.sleep(0.002)  # published a moment later
    world.given(published(V2, "second", ["dance", "dancefloor"]), stream=f"video-{V2}")
    world.project(PROJECTOR)
    assert [m.id for m in model.tagged(world.store, "dance", 10).items] == [V2, V1]
    first = model.hashtags_from(world.store, "dan", None, 5)
    assert first is not None
    assert first[0] == "dance"
    second = model.hashtags_from(world.store, "dan", "dance", 5)
    assert second is not None
    assert second[0] == "dancefloor"
    assert model.hashtags_from(world.store, "dan", "dancefloor", 5) is None
