"""The caps on uploads, through tus over HTTP: unfinished uploads per user, bytes on their way per
user and in all, and videos waiting to be transcoded per user. Over a cap, a creation is refused with
429 and ``Retry-After`` (a single file over the size limit stays 413); what counts survives on disk
and in the read store, and stops counting once the upload or job is done."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.state import Media
from media.storage import FileStorage
from projections.transcode_requests import TranscodeRequests
from read_models import transcode_jobs
from services.uploads import Caps
from tests.clips import clip
from tests.integration.api.harness import System, User
from workers.transcoding import Transcoder

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {**TUS, "Content-Type": "application/offset+octet-stream"}
UPLOADS = "/v1/uploads"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return clip(tmp_path_factory.mktemp("clips") / "good.mp4", size="160x90", seconds=1).read_bytes()


def system_with(tmp: Path, caps: Caps, **limits: Any) -> System:
    media = Media(
        storage=FileStorage(tmp / "media"),
        uploads_dir=tmp / "uploads",
        signing_key=b"k" * 32,
        upload_caps=caps,
        **limits,
    )
    return System.with_read_side(tmp, media=media)


@pytest.fixture
def make_system(tmp_path: Path) -> Iterator[Any]:
    made: list[System] = []

    def make(caps: Caps, **limits: Any) -> System:
        made.append(system_with(tmp_path, caps, **limits))
        return made[-1]

    yield make
    for system in made:
        system.close()


def create(system: System, owner: User, length: int, video_id: str | None = None) -> Any:
    if video_id is None:
        video_id = system.client.post("/v1/videos", headers=owner.auth).json()["video_id"]
    metadata = f"video_id {base64.b64encode(video_id.encode()).decode()}"
    headers = {**TUS, **owner.auth, "Upload-Length": str(length), "Upload-Metadata": metadata}
    return system.client.post(UPLOADS, headers=headers)


def send(system: System, owner: User, url: str, data: bytes) -> Any:
    return system.client.patch(url, content=data, headers={**OCTETS, **owner.auth, "Upload-Offset": "0"})


def assert_refused_for_now(answer: Any, says: str) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["Tus-Resumable"] == "1.0.0"
    assert int(answer.headers["Retry-After"]) > 0
    assert says in answer.json()["detail"]


def run_process_manager(system: System) -> list[str]:
    """What ``strom run`` does beside the API: jobs asked for, and ``transcode_jobs`` kept."""
    asked: list[str] = []
    ports = system.ports
    TranscodeRequests(
        events=ports.store, codec=ports.codec, store=system.read_store, enqueue=lambda v, *_: asked.append(v)
    ).run(until=system.store.head_position())
    return asked


def test_the_upload_past_the_open_upload_cap_is_refused_until_one_is_ended(make_system: Any) -> None:
    # Given a user with as many unfinished uploads as may be open
    system = make_system(Caps(open_per_user=2))
    owner, other = system.anonymous_user(), system.anonymous_user()
    first = create(system, owner, 10)
    assert create(system, owner, 10).status_code == 201
    # When they start one more
    refused = create(system, owner, 10)
    # Then it is refused for now, while someone else may still upload
    assert_refused_for_now(refused, "2 uploads not finished")
    assert create(system, other, 10).status_code == 201
    # And ending one of theirs makes room
    assert system.client.delete(first.headers["Location"], headers={**TUS, **owner.auth}).status_code == 204
    assert create(system, owner, 10).status_code == 201


def test_an_expired_upload_no_longer_counts_as_open(make_system: Any) -> None:
    system = make_system(Caps(open_per_user=1), upload_expiry_s=0)
    owner = system.anonymous_user()
    assert create(system, owner, 10).status_code == 201
    assert create(system, owner, 10).status_code == 201


def test_bytes_on_their_way_over_a_users_cap_are_refused_and_one_file_over_the_size_limit_is_too_large(
    make_system: Any,
) -> None:
    system = make_system(Caps(inflight_bytes_per_user=1_500), max_upload_bytes=1_000)
    owner = system.anonymous_user()
    assert create(system, owner, 1_000).status_code == 201
    assert_refused_for_now(create(system, owner, 600), "more than the 1500 bytes")
    too_large = create(system, owner, 1_001)
    assert too_large.status_code == 413, too_large.text
    assert too_large.headers["Tus-Max-Size"] == "1000"
    assert create(system, owner, 500).status_code == 201  # exactly the cap


def test_bytes_on_their_way_over_the_servers_cap_are_refused_for_everyone(make_system: Any) -> None:
    system = make_system(Caps(inflight_bytes=1_500))
    alice, bob = system.anonymous_user(), system.anonymous_user()
    assert create(system, alice, 1_000).status_code == 201
    assert_refused_for_now(create(system, bob, 600), "the server is taking in as many uploads")
    assert create(system, bob, 500).status_code == 201


def test_a_user_with_as_many_videos_waiting_to_transcode_as_allowed_is_refused_at_creation(
    make_system: Any, good: bytes
) -> None:
    # Given a user whose finished upload waits to be transcoded
    system = make_system(Caps(jobs_per_user=1))
    owner, other = system.anonymous_user(), system.anonymous_user()
    created = create(system, owner, len(good))
    assert send(system, owner, created.headers["Location"], good).status_code == 204
    [video_id] = run_process_manager(system)
    # When they start another upload
    refused = create(system, owner, len(good))
    # Then it is refused before any byte is sent, and others are not held back
    assert_refused_for_now(refused, "1 of your videos are waiting to be transcoded")
    assert create(system, other, len(good)).status_code == 201
    # And once the job has settled (here: failed for good), the next upload is welcome
    upload_id = created.headers["Location"].rsplit("/", 1)[1]
    media = system.state.media
    assert media is not None
    Transcoder(system.ports, media.storage).fail(video_id, upload_id, "the encoder gave up")
    run_process_manager(system)
    assert transcode_jobs.pending(system.read_store, owner.user_id, at_most=10) == 0
    assert create(system, owner, len(good)).status_code == 201


def test_an_upload_open_before_the_job_cap_was_reached_still_finishes(make_system: Any, good: bytes) -> None:
    """The cap is checked at creation: refusing an upload whose bytes all arrived would waste them."""
    system = make_system(Caps(jobs_per_user=1))
    owner = system.anonymous_user()
    first, second = create(system, owner, len(good)), create(system, owner, len(good))
    assert send(system, owner, first.headers["Location"], good).status_code == 204
    run_process_manager(system)
    assert send(system, owner, second.headers["Location"], good).status_code == 204
