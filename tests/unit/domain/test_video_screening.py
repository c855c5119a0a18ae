"""Screening on a video's stream: verdicts, the publication rule, and a moderator's release."""

from __future__ import annotations

import pytest

from domain.actors import Actor, Role
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.screening import SCREENER, Action, Findings, Policy, WatchedWords, parse_words
from domain.videos import (
    PIPELINE,
    Event,
    PublishVideo,
    RecordScreening,
    ReleaseVideo,
    State,
    VideoDraftCreated,
    VideoHidden,
    VideoProcessingStarted,
    VideoProcessingSucceeded,
    VideoPublished,
    VideoReleased,
    VideoScreened,
    VideoUploadCompleted,
    awaits_screening,
    decide_publish_video,
    decide_record_screening,
    decide_release_video,
    evolve,
    initial,
)

OWNER = Actor("owner")
MODERATOR = Actor("mod", Role.MODERATOR)
UPLOADED: list[Event] = [
    VideoDraftCreated("v1", "owner"),
    VideoUploadCompleted("v1", "owner", "up1", 1000, 15_000, 1080, 1920),
]
PROCESSED: list[Event] = [
    *UPLOADED,
    VideoProcessingStarted("v1", "owner"),
    VideoProcessingSucceeded("v1", "owner", ["240p"], "v1/master.m3u8", "v1/p.jpg"),
]
POLICY = Policy()  # nudity at 0.6 holds, a blocklist match blocks
MATCH = "00ff00ff00ff00ff"


def given(*events: Event) -> State:
    return fold(evolve, initial, events)


def screening(findings: Findings, *, upload_id: str = "up1", version: str = "p1") -> RecordScreening:
    return RecordScreening(SCREENER, "v1", upload_id, POLICY, version, findings)


def screened(
    verdict: str, labels: list[str] | None = None, version: str = "p1", **more: object
) -> VideoScreened:
    return VideoScreened("v1", "owner", "up1", version, verdict, labels or [], [], **more)  # type: ignore[arg-type]


def publish(state: State, words: WatchedWords | None = None, caption: str = "hi") -> list[Event]:
    return decide_publish_video(state, PublishVideo(OWNER, "v1", caption), words=words or WatchedWords())


# -- recording a verdict ---------------------------------------------------------------------------


def test_screening_records_the_verdict_the_policy_gives_its_findings() -> None:
    # Given
    state = given(*UPLOADED)
    # When
    events = decide_record_screening(state, screening(Findings(nsfw_score=0.8)))
    # Then
    assert events == [VideoScreened("v1", "owner", "up1", "p1", "held", ["nudity"], [], 0.8, None)]


def test_the_same_verdict_again_records_nothing() -> None:
    # Given
    state = given(*UPLOADED, screened("allowed", nsfw_score=0.1))
    # When / Then
    assert decide_record_screening(state, screening(Findings(nsfw_score=0.1))) == []


def test_a_new_policy_version_records_a_new_verdict() -> None:
    # Given
    state = given(*UPLOADED, screened("allowed", nsfw_score=0.1))
    # When
    events = decide_record_screening(state, screening(Findings(nsfw_score=0.1), version="p2"))
    # Then
    assert events == [screened("allowed", version="p2", nsfw_score=0.1)]


def test_only_screening_records_a_verdict() -> None:
    state = given(*UPLOADED)
    for actor in (OWNER, MODERATOR, PIPELINE):
        cmd = RecordScreening(actor, "v1", "up1", POLICY, "p1", Findings())
        with pytest.raises(NotAllowed):
            decide_record_screening(state, cmd)


def test_a_verdict_on_an_upload_since_replaced_is_refused() -> None:
    state = given(*UPLOADED)
    with pytest.raises(Conflict, match="not the video's current one"):
        decide_record_screening(state, screening(Findings(), upload_id="up0"))


def test_a_policy_version_is_required() -> None:
    with pytest.raises(InvalidCommand, match="policy_version"):
        decide_record_screening(given(*UPLOADED), screening(Findings(), version=" "))


def test_a_published_video_a_new_verdict_blocks_is_hidden_in_the_same_append() -> None:
    # Given: published under an older policy
    published = VideoPublished("v1", "owner", "hi", [], "public", True)
    state = given(*PROCESSED, screened("allowed"), published)
    # When: a replay finds it on the blocklist
    events = decide_record_screening(state, screening(Findings(hash_matches=(MATCH,)), version="p2"))
    # Then
    assert events == [
        VideoScreened("v1", "owner", "up1", "p2", "blocked", ["sensitive"], [MATCH]),
        VideoHidden("v1", "owner", SCREENER.user_id, "blocked by automatic screening"),
    ]
    assert fold(evolve, state, events).hidden


def test_a_published_video_a_new_verdict_holds_stays_up() -> None:
    published = VideoPublished("v1", "owner", "hi", [], "public", True)
    state = given(*PROCESSED, screened("allowed"), published)
    events = decide_record_screening(state, screening(Findings(nsfw_score=0.9), version="p2"))
    assert [type(e) for e in events] == [VideoScreened]


# -- the publication rule --------------------------------------------------------------------------


def test_a_video_not_screened_yet_cannot_be_published() -> None:
    with pytest.raises(Conflict, match="still being screened"):
        publish(given(*PROCESSED))


@pytest.mark.parametrize(("verdict", "labels"), [("allowed", []), ("labelled", ["nudity"])])
def test_an_allowed_or_labelled_video_can_be_published(verdict: str, labels: list[str]) -> None:
    (event,) = publish(given(*PROCESSED, screened(verdict, labels)))
    assert isinstance(event, VideoPublished)


def test_a_held_video_waits_for_a_moderator() -> None:
    with pytest.raises(Conflict, match="held for review"):
        publish(given(*PROCESSED, screened("held", ["nudity"])))


def test_a_blocked_video_is_never_published() -> None:
    with pytest.raises(NotAllowed, match="blocked"):
        publish(given(*PROCESSED, screened("blocked", ["sensitive"])))


def test_a_verdict_on_an_earlier_upload_does_not_count() -> None:
    # Given: the first upload was screened, then replaced by a second
    state = given(*PROCESSED, screened("allowed"), VideoUploadCompleted("v1", "owner", "up2", 1, 1, 16, 16))
    # Then
    assert awaits_screening(state, "up2")
    assert not awaits_screening(state, "up1")


def test_a_caption_holding_a_watched_word_is_refused_without_naming_it() -> None:
    state = given(*PROCESSED, screened("allowed"))
    with pytest.raises(InvalidCommand, match=r"^the caption contains a watched word$"):
        publish(state, parse_words(["badword"]), caption="such a b4dw0rd")


# -- a moderator's release -------------------------------------------------------------------------


def test_a_moderator_releases_a_held_video_and_its_owner_may_publish_it() -> None:
    # Given
    state = given(*PROCESSED, screened("held", ["nudity"]))
    # When
    events = decide_release_video(state, ReleaseVideo(MODERATOR, "v1", "art, not nudity"))
    # Then
    assert events == [VideoReleased("v1", "owner", "up1", "mod", "art, not nudity")]
    (published,) = publish(fold(evolve, state, events))
    assert isinstance(published, VideoPublished)


def test_a_release_survives_a_replay_that_holds_again_but_not_one_that_blocks() -> None:
    released = given(
        *PROCESSED, screened("held", ["nudity"]), VideoReleased("v1", "owner", "up1", "mod", "ok")
    )
    held_again = fold(evolve, released, [screened("held", ["nudity"], version="p2")])
    assert publish(held_again)
    blocked = fold(evolve, released, [screened("blocked", ["sensitive"], version="p3")])
    with pytest.raises(NotAllowed):
        publish(blocked)


def test_releasing_twice_records_nothing() -> None:
    state = given(*PROCESSED, screened("held"), VideoReleased("v1", "owner", "up1", "mod", "ok"))
    assert decide_release_video(state, ReleaseVideo(MODERATOR, "v1", "again")) == []


@pytest.mark.parametrize(("verdict", "message"), [("blocked", "cannot be released"), ("allowed", "not held")])
def test_only_a_held_video_can_be_released(verdict: str, message: str) -> None:
    state = given(*PROCESSED, screened(verdict))
    with pytest.raises(Conflict, match=message):
        decide_release_video(state, ReleaseVideo(MODERATOR, "v1", "ok"))


@pytest.mark.parametrize("actor", [OWNER, SCREENER], ids=["owner", "screening"])
def test_only_a_moderator_releases(actor: Actor) -> None:
    state = given(*PROCESSED, screened("held"))
    with pytest.raises(NotAllowed):
        decide_release_video(state, ReleaseVideo(actor, "v1", "ok"))


def test_a_video_that_does_not_exist_cannot_be_released() -> None:
    with pytest.raises(NotFound):
        decide_release_video(initial, ReleaseVideo(MODERATOR, "v1", "ok"))


def test_the_policy_may_block_nudity_outright() -> None:
    strict = RecordScreening(
        SCREENER, "v1", "up1", Policy(nsfw_action=Action.BLOCK), "p9", Findings(nsfw_score=0.7)
    )
    (event,) = decide_record_screening(given(*UPLOADED), strict)
    assert isinstance(event, VideoScreened)
    assert (event.verdict, event.labels) == ("blocked", ["nudity"])
