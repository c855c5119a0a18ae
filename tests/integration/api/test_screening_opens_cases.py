"""What screening holds or blocks is a case on the write side, not only a row in the queue: the
screening job (with a fake sampler and a fixed classifier, no ffmpeg) and a held comment each open
their target's case through commands, so moderators can assign, dismiss or resolve it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from commands import streams
from commands.aggregates import CASE, VIDEO
from commands.context import Request
from commands.handling import execute, load
from domain import videos
from domain.actors import Actor, Role
from domain.moderation import cases
from domain.screening import Policy, Rules, parse_words
from eventstore.ids import uuid7
from media import keys
from media.screening.blocklist import BlocklistFile
from media.screening.scan import Scanner, ScanSettings
from media.storage import FileStorage
from projections.models import moderation_queue
from tests.integration.api.harness import System, User
from workers.screening import Screening

WORDS = parse_words(["badword"])


@dataclasses.dataclass
class FixedScore:
    """Every frame scores the same: the policy path without explicit media."""

    value: float
    name: str = "fixed"

    def score(self, frames: Sequence[Image.Image]) -> list[float]:
        return [self.value for _ in frames]


class GreyFrames:
    """A sampler that reads nothing: grey frames, as many as asked."""

    def sample(self, path: Path, count: int) -> list[Image.Image]:
        return [Image.new("RGB", (64, 64), (128, 128, 128)) for _ in range(count)]


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path, screening=Rules(policy=Policy(), words=WORDS))
    yield s
    s.close()


def uploaded(system: System, owner: User, storage: FileStorage, source: Path) -> str:
    """A video whose upload awaits screening, its source in storage."""
    video_id, actor = str(uuid7()), Actor(owner.user_id)
    for decide in (
        lambda s: videos.decide_create_draft(s, videos.CreateDraft(actor, video_id)),
        lambda s: videos.decide_complete_upload(
            s, videos.CompleteUpload(actor, video_id, "up-1", 1_000_000, 15_000, 1080, 1920)
        ),
    ):
        execute(system.ports, Request(actor), streams.video(video_id), VIDEO, decide)
    storage.put_file(keys.source(video_id, "up-1"), source)
    return video_id


def case_status(system: System, kind: str, target_id: str) -> cases.Status:
    return load(system.ports, streams.case(cases.case_id(kind, target_id)), CASE).state.status


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_an_upload_screening_holds_opens_a_case_moderators_can_act_on(system: System, tmp_path: Path) -> None:
    # Given an upload awaiting screening, and a classifier that scores it as nudity
    owner, mod = system.register(), system.register(role=Role.MODERATOR)
    storage = FileStorage(tmp_path / "media")
    source = tmp_path / "source.mp4"
    source.write_bytes(b"not read by the fake sampler")
    video_id = uploaded(system, owner, storage, source)
    scanner = Scanner(
        GreyFrames(), BlocklistFile(tmp_path / "none.txt"), FixedScore(0.99), ScanSettings(frames=3)
    )
    job = Screening(system.ports, storage, scanner)
    # When the screening job runs, twice (a job runs at least once)
    job.run(video_id, "up-1")
    job.run(video_id, "up-1")
    # Then the video is held, and its case is open on the write side, once
    screening = videos.current_screening(load(system.ports, streams.video(video_id), VIDEO).state)
    assert screening is not None
    assert screening.verdict == "held"
    assert case_status(system, "video", video_id) is cases.Status.OPEN
    opened = [
        r for r in system.store.read_stream(streams.case(f"video-{video_id}")) if r.type == "CaseOpened"
    ]
    assert len(opened) == 1
    # And it is in the queue, where a moderator assigns and dismisses it
    system.project(moderation_queue.PROJECTOR)
    (item,) = ok(system.client.get("/v1/moderation/queue", headers=mod.auth))["items"]
    assert item["case_id"] == f"video-{video_id}"
    case = f"/v1/moderation/cases/video-{video_id}"
    ok(system.client.post(f"{case}/assign", headers=mod.auth, json={"assignee_id": mod.user_id}))
    ok(system.client.post(f"{case}/dismiss", headers=mod.auth, json={"reason": "a painting"}))
    assert case_status(system, "video", video_id) is cases.Status.DISMISSED


def test_a_held_comment_opens_a_case_moderators_can_dismiss(system: System) -> None:
    # Given
    owner, fan, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video_id = system.published_video(owner)
    # When a comment with a watched word is posted
    posted = system.client.post(
        f"/v1/videos/{video_id}/comments", headers=fan.auth, json={"text": "a badword here"}
    )
    comment_id = ok(posted, 201)["comment_id"]
    # Then its case is open on the write side
    assert case_status(system, "comment", comment_id) is cases.Status.OPEN
    # And a moderator can act on the case of a comment that was never posted
    case = f"/v1/moderation/cases/comment-{comment_id}"
    ok(system.client.post(f"{case}/dismiss", headers=mod.auth, json={"reason": "harmless"}))
    assert case_status(system, "comment", comment_id) is cases.Status.DISMISSED


def test_the_answer_to_a_comment_says_whether_it_is_held(system: System) -> None:
    # Given
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    url = f"/v1/videos/{video_id}/comments"
    # When one comment holds a watched word and another does not
    held = ok(system.client.post(url, headers=fan.auth, json={"text": "a badword here"}), 201)
    posted = ok(system.client.post(url, headers=fan.auth, json={"text": "lovely"}), 201)
    # Then the author is told which awaits review
    assert (held["state"], "held for review" in held["note"]) == ("held", True)
    assert (posted["state"], posted["note"]) == ("posted", None)
