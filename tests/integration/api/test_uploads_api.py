"""tus 1.0 uploads through HTTP: the protocol's answers, a video that is probed and recorded, every
kind of bad file rejected with its reason and nothing left behind, and a real tus client (tuspy)
resuming an upload after its connection dropped."""

from __future__ import annotations

import base64
import dataclasses
import socket
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from tusclient.client import TusClient

from api.state import Media
from commands import streams
from commands import videos as video_handlers
from commands.errors import Unavailable
from domain import videos
from domain.actors import Role
from domain.events import DomainEvent
from media.storage import FileStorage
from services.uploads import Uploads
from tests.clips import ffmpeg
from tests.integration.api.harness import System, User
from tests.integration.api.live_server import serving

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {**TUS, "Content-Type": "application/offset+octet-stream"}
UPLOADS = "/v1/uploads"


# -- clips, made once per module -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Clips:
    good: Path
    wide: Path
    image: Path
    text: Path
    truncated: Path


def lavfi_source(size: str, rate: int = 15) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    folder = tmp_path_factory.mktemp("clips")
    good, wide, image = folder / "good.mp4", folder / "wide.mp4", folder / "image.png"
    sound = ["-f", "lavfi", "-i", "sine=frequency=440", "-c:a", "aac", "-shortest"]
    h264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
    ffmpeg(*lavfi_source("160x120"), *sound, "-t", "2", *h264, str(good))
    ffmpeg(*lavfi_source("8200x16", rate=5), "-t", "0.4", *h264, str(wide))
    ffmpeg(*lavfi_source("64x64"), "-frames:v", "1", str(image))
    text = folder / "notes.mp4"
    text.write_text("these are my holiday notes, not a video\n" * 50)
    truncated = folder / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return Clips(good=good, wide=wide, image=image, text=text, truncated=truncated)


# -- the system ------------------------------------------------------------------------------------


def media_for(tmp: Path, **limits: Any) -> Media:
    (tmp / "uploads").mkdir()
    return Media(
        storage=FileStorage(tmp / "media"), uploads_dir=tmp / "uploads", signing_key=b"k" * 32, **limits
    )


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System(tmp_path, media=media_for(tmp_path, max_upload_bytes=1_000_000))
    yield s
    s.close()


def media(system: System) -> Media:
    found = system.state.media
    assert found is not None
    return found


def uploads(system: System) -> Uploads:
    return media(system).uploads(system.ports, system.state.read_store)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def draft(system: System, owner: User) -> str:
    created = system.client.post("/v1/videos", headers=owner.auth)
    assert created.status_code == 201, created.text
    video_id: str = created.json()["video_id"]
    return video_id


def create(system: System, owner: User, video_id: str, length: int) -> Any:
    metadata = f"video_id {b64(video_id)},filename {b64('clip.mp4')},filetype {b64('video/mp4')}"
    headers = {**TUS, **owner.auth, "Upload-Length": str(length), "Upload-Metadata": metadata}
    return system.client.post(UPLOADS, headers=headers)


def new_upload(system: System, owner: User, length: int) -> tuple[str, str]:
    """A draft and an upload for it: (video_id, upload URL)."""
    video_id = draft(system, owner)
    created = create(system, owner, video_id, length)
    assert created.status_code == 201, created.text
    return video_id, created.headers["Location"]


def patch(system: System, owner: User, url: str, offset: int, data: bytes, **extra: str) -> Any:
    headers = {**OCTETS, **owner.auth, "Upload-Offset": str(offset), **extra}
    return system.client.patch(url, content=data, headers=headers)


def head(system: System, owner: User, url: str) -> Any:
    return system.client.head(url, headers={**TUS, **owner.auth})


def video_events(system: System, video_id: str) -> list[DomainEvent]:
    records = system.store.read_stream(streams.video(video_id))
    return [system.ports.codec.decode(record).event for record in records]


def assert_problem(response: Any, status: int, says: str = "") -> None:
    assert response.status_code == status, response.text
    assert response.headers["Tus-Resumable"] == "1.0.0"
    if response.request.method != "HEAD":
        assert response.headers["content-type"] == "application/problem+json"
        assert says in response.json()["detail"]


def assert_nothing_left(system: System) -> None:
    assert list(media(system).uploads_dir.iterdir()) == []
    assert media(system).storage.keys("sources") == []


# -- the protocol ----------------------------------------------------------------------------------


def test_options_tell_the_version_extensions_and_size_limit_without_auth_or_tus_header(
    system: System,
) -> None:
    answer = system.client.options(UPLOADS)
    assert answer.status_code == 204
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert answer.headers["Tus-Extension"] == "creation,termination,expiration"
    assert answer.headers["Tus-Max-Size"] == "1000000"
    assert answer.headers["Tus-Resumable"] == "1.0.0"


@pytest.mark.parametrize("version", [None, "0.2.2", "1.0"])
def test_a_request_not_speaking_tus_1_0_0_is_refused_with_the_version_spoken(
    system: System, version: str | None
) -> None:
    owner = system.anonymous_user()
    headers = {**owner.auth, "Upload-Length": "10"} | ({} if version is None else {"Tus-Resumable": version})
    answer = system.client.post(UPLOADS, headers=headers)
    assert_problem(answer, 412, "Tus-Resumable: 1.0.0")
    assert answer.headers["Tus-Version"] == "1.0.0"


def test_creating_needs_a_signed_in_user(system: System) -> None:
    answer = system.client.post(UPLOADS, headers={**TUS, "Upload-Length": "10"})
    assert_problem(answer, 401, "sign in")


@pytest.mark.parametrize(
    ("headers", "status", "says"),
    [
        ({}, 400, "Upload-Length"),
        ({"Upload-Length": "ten"}, 400, "Upload-Length"),
        ({"Upload-Length": "-5"}, 400, "Upload-Length"),
        ({"Upload-Defer-Length": "1"}, 400, "Upload-Defer-Length is not supported"),
        ({"Upload-Length": "1000001"}, 413, "at most 1000000"),
        ({"Upload-Length": "10"}, 400, "video_id"),
        ({"Upload-Length": "10", "Upload-Metadata": "video_id %%%"}, 400, "base64"),
        ({"Upload-Length": "10", "Upload-Metadata": f"video_id {b64('abc')}"}, 400, "not a video id"),
    ],
)
def test_a_creation_without_a_usable_length_or_video_id_is_refused(
    system: System, headers: dict[str, str], status: int, says: str
) -> None:
    owner = system.anonymous_user()
    answer = system.client.post(UPLOADS, headers={**TUS, **owner.auth, **headers})
    assert_problem(answer, status, says)
    assert list(media(system).uploads_dir.iterdir()) == []


def test_only_the_owner_of_an_open_draft_can_create_an_upload_for_it(system: System) -> None:
    owner, other = system.anonymous_user(), system.anonymous_user()
    video_id = draft(system, owner)
    assert_problem(create(system, other, video_id, 10), 404, "not found")  # to anyone else, no such video
    assert_problem(create(system, owner, "0190a0c2-0000-7000-8000-000000000000", 10), 404, "not found")
    system.client.delete(f"/v1/videos/{video_id}", headers=owner.auth)
    assert_problem(create(system, owner, video_id, 10), 409, "deleted")


def test_a_video_uploaded_in_two_parts_is_probed_recorded_and_stored(system: System, clips: Clips) -> None:
    # Given an upload created for a draft
    owner = system.anonymous_user()
    data = clips.good.read_bytes()
    video_id = draft(system, owner)
    created = create(system, owner, video_id, len(data))
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    assert url.startswith(f"http://testserver{UPLOADS}/")
    expires = parsedate_to_datetime(created.headers["Upload-Expires"]).timestamp()
    assert expires == pytest.approx(time.time() + 24 * 3600, abs=60)
    assert head(system, owner, url).headers["Upload-Offset"] == "0"
    # When the first half is sent, then the rest
    half = len(data) // 2
    first = patch(system, owner, url, 0, data[:half])
    stands = head(system, owner, url)
    last = patch(system, owner, url, half, data[half:])
    # Then the offsets move, and the last answer carries the position of the recorded upload
    assert first.status_code == 204, first.text
    assert first.headers["Upload-Offset"] == str(half)
    assert stands.status_code == 200
    assert stands.headers["Upload-Offset"] == str(half)
    assert stands.headers["Upload-Length"] == str(len(data))
    assert stands.headers["Cache-Control"] == "no-store"
    assert stands.headers["Tus-Resumable"] == "1.0.0"
    assert "video_id " + b64(video_id) in stands.headers["Upload-Metadata"]
    assert last.status_code == 204, last.text
    assert last.headers["Upload-Offset"] == str(len(data))
    completed = video_events(system, video_id)[-1]
    assert isinstance(completed, videos.VideoUploadCompleted)
    assert int(last.headers["Strom-Position"]) == system.store.head_position()
    assert (completed.size_bytes, completed.width, completed.height) == (len(data), 160, 120)
    assert completed.duration_ms == pytest.approx(2000, abs=100)
    upload_id = url.rsplit("/", 1)[1]
    assert completed.upload_id == upload_id
    assert media(system).storage.read(f"sources/{video_id}/{upload_id}") == data
    assert list(media(system).uploads_dir.iterdir()) == []
    assert_problem(head(system, owner, url), 404)


def test_another_user_or_nobody_cannot_see_send_to_or_end_an_upload(system: System) -> None:
    owner, other = system.anonymous_user(), system.anonymous_user()
    _, url = new_upload(system, owner, 10)
    assert_problem(head(system, other, url), 404)
    assert_problem(patch(system, other, url, 0, b"abc"), 404, "no upload")
    assert_problem(system.client.delete(url, headers={**TUS, **other.auth}), 404, "no upload")
    assert_problem(system.client.head(url, headers=TUS), 401)
    assert_problem(system.client.patch(url, content=b"abc", headers={**OCTETS, "Upload-Offset": "0"}), 401)
    assert head(system, owner, url).headers["Upload-Offset"] == "0"


def test_an_unknown_upload_is_not_found(system: System) -> None:
    owner = system.anonymous_user()
    for upload_id in ("0190a0c2-0000-7000-8000-000000000000", "has.a.dot", "x" * 200):
        assert_problem(head(system, owner, f"{UPLOADS}/{upload_id}"), 404)
        assert_problem(patch(system, owner, f"{UPLOADS}/{upload_id}", 0, b"a"), 404)


def test_a_patch_is_refused_for_a_wrong_type_offset_or_length(system: System) -> None:
    owner = system.anonymous_user()
    _, url = new_upload(system, owner, 10)
    assert patch(system, owner, url, 0, b"abc").status_code == 204
    wrong_type = system.client.patch(
        url, content=b"d", headers={**TUS, **owner.auth, "Upload-Offset": "3", "Content-Type": "text/plain"}
    )
    assert_problem(wrong_type, 415, "application/offset+octet-stream")
    assert_problem(patch(system, owner, url, 0, b"d"), 409, "resume from 3")
    assert_problem(patch(system, owner, url, 5, b"d"), 409, "resume from 3")
    assert_problem(patch(system, owner, url, 3, b"d", **{"Upload-Offset": "three"}), 400, "Upload-Offset")
    assert_problem(patch(system, owner, url, 3, b"d" * 8), 413, "length of 10")
    assert head(system, owner, url).headers["Upload-Offset"] == "3"


def test_a_chunked_body_that_goes_past_the_length_is_refused_and_the_upload_can_go_on(system: System) -> None:
    owner = system.anonymous_user()
    _, url = new_upload(system, owner, 10)

    def body() -> Iterator[bytes]:
        yield b"a" * 12

    answer = system.client.patch(url, content=body(), headers={**OCTETS, **owner.auth, "Upload-Offset": "0"})
    assert_problem(answer, 413, "length of 10")
    assert head(system, owner, url).headers["Upload-Offset"] == "0"


def test_a_second_patch_while_one_is_writing_is_a_conflict(system: System) -> None:
    owner = system.anonymous_user()
    _, url = new_upload(system, owner, 10)
    upload_id = url.rsplit("/", 1)[1]
    with uploads(system).store.locked(upload_id):
        assert_problem(patch(system, owner, url, 0, b"abc"), 409, "busy")
        assert_problem(system.client.delete(url, headers={**TUS, **owner.auth}), 409, "busy")
    assert patch(system, owner, url, 0, b"abc").status_code == 204


def test_termination_removes_the_bytes_and_the_draft_stays_open(system: System) -> None:
    owner = system.anonymous_user()
    video_id, url = new_upload(system, owner, 10)
    patch(system, owner, url, 0, b"abc")
    ended = system.client.delete(url, headers={**TUS, **owner.auth})
    assert ended.status_code == 204
    assert ended.headers["Tus-Resumable"] == "1.0.0"
    assert_nothing_left(system)
    assert_problem(head(system, owner, url), 404)
    assert create(system, owner, video_id, 10).status_code == 201


def test_an_expired_upload_is_gone_and_the_sweep_removes_its_bytes(tmp_path: Path) -> None:
    system = System(tmp_path, media=media_for(tmp_path, upload_expiry_s=0))
    try:
        owner = system.anonymous_user()
        _, url = new_upload(system, owner, 10)
        assert_problem(head(system, owner, url), 410)
        assert_problem(patch(system, owner, url, 0, b"abc"), 410, "expired")
        assert uploads(system).sweep_expired(time.time()) == 1
        assert_nothing_left(system)
        assert_problem(head(system, owner, url), 404)
    finally:
        system.close()


@pytest.mark.parametrize("ending", ["video deleted", "owner erased"])
def test_the_sweep_removes_at_once_an_upload_whose_video_can_take_it_no_more(
    system: System, ending: str
) -> None:
    # Given half an upload of hers, and one of someone else's
    owner, other = system.anonymous_user(), system.anonymous_user()
    video_id, url = new_upload(system, owner, 10)
    assert patch(system, owner, url, 0, b"abcde").status_code == 204
    new_upload(system, other, 10)
    # When her video is deleted, or her account erased, long before the upload expires
    path = f"/v1/videos/{video_id}" if ending == "video deleted" else "/v1/me"
    assert system.client.delete(path, headers=owner.auth).status_code in (200, 202)
    # Then the next sweep removes her bytes and her file's name, and only hers
    assert uploads(system).sweep() == 1
    assert len(list(media(system).uploads_dir.glob("*.bin"))) == 1
    left = [info.read_text() for info in media(system).uploads_dir.glob("*.json")]
    assert len(left) == 1
    assert video_id not in left[0]


def test_uploads_answer_503_where_no_media_is_set_up(tmp_path: Path) -> None:
    system = System(tmp_path)
    try:
        answer = system.client.post(UPLOADS, headers={**TUS, **system.anonymous_user().auth})
        assert_problem(answer, 503, "not set up")
    finally:
        system.close()


# -- bad files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("text", "the file is not a video"),
        ("truncated", "the file is incomplete"),
        ("image", "still image"),
        ("wide", "8200x16 pixels; at most 4096"),
    ],
)
def test_a_file_that_is_not_a_playable_video_is_rejected_with_its_reason_and_removed(
    system: System, clips: Clips, name: str, reason: str
) -> None:
    # Given an upload of a bad file
    owner = system.anonymous_user()
    data = getattr(clips, name).read_bytes()
    video_id, url = new_upload(system, owner, len(data))
    # When its last byte arrives
    answer = patch(system, owner, url, 0, data)
    # Then the client is told why, the rejection is recorded, and no byte of it is left
    assert_problem(answer, 422, reason)
    rejected = video_events(system, video_id)[-1]
    assert isinstance(rejected, videos.VideoUploadRejected)
    assert reason in rejected.reason
    assert (rejected.upload_id, rejected.size_bytes) == (url.rsplit("/", 1)[1], len(data))
    assert_nothing_left(system)


def test_an_empty_file_is_rejected_at_creation(system: System) -> None:
    owner = system.anonymous_user()
    video_id = draft(system, owner)
    answer = create(system, owner, video_id, 0)
    assert_problem(answer, 422, "the file is empty")
    rejected = video_events(system, video_id)[-1]
    assert isinstance(rejected, videos.VideoUploadRejected)
    assert rejected.reason == "the file is empty"
    assert_nothing_left(system)


def test_a_rejection_that_could_not_be_recorded_keeps_the_bytes_until_a_retry_records_it(
    system: System, clips: Clips, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the event store is away just when a bad file's last byte arrives
    owner = system.anonymous_user()
    text = clips.text.read_bytes()
    video_id, url = new_upload(system, owner, len(text))
    record = video_handlers.reject_upload

    def away_once(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(video_handlers, "reject_upload", record)
        raise Unavailable("the event store is away")

    monkeypatch.setattr(video_handlers, "reject_upload", away_once)
    assert_problem(patch(system, owner, url, 0, text), 503)
    # Then the bytes stay, nothing is recorded, and the client's retry of the last PATCH gets the verdict
    assert head(system, owner, url).headers["Upload-Offset"] == str(len(text))
    assert not isinstance(video_events(system, video_id)[-1], videos.VideoUploadRejected)
    assert_problem(patch(system, owner, url, len(text), b""), 422, "the file is not a video")
    assert isinstance(video_events(system, video_id)[-1], videos.VideoUploadRejected)
    assert_nothing_left(system)


def test_a_draft_whose_upload_was_rejected_takes_a_good_one_next(system: System, clips: Clips) -> None:
    owner = system.anonymous_user()
    text = clips.text.read_bytes()
    video_id, url = new_upload(system, owner, len(text))
    assert patch(system, owner, url, 0, text).status_code == 422
    good = clips.good.read_bytes()
    second = create(system, owner, video_id, len(good))
    assert patch(system, owner, second.headers["Location"], 0, good).status_code == 204
    kinds = [type(e).__name__ for e in video_events(system, video_id)]
    assert kinds == ["VideoDraftCreated", "VideoUploadRejected", "VideoUploadCompleted"]


def test_a_video_deleted_while_uploading_keeps_no_source(system: System, clips: Clips) -> None:
    owner = system.anonymous_user()
    data = clips.good.read_bytes()
    video_id, url = new_upload(system, owner, len(data))
    assert system.client.delete(f"/v1/videos/{video_id}", headers=owner.auth).status_code == 200
    assert_problem(patch(system, owner, url, 0, data), 409, "deleted")
    assert_nothing_left(system)


SANCTIONS = {
    "suspension": ("suspend", {"reason": "spam ring"}),
    "upload restriction": ("restrictions", {"capability": "upload", "duration_hours": 24, "reason": "spam"}),
}


def sanction(system: System, person: User, kind: str) -> None:
    route, body = SANCTIONS[kind]
    moderator = system.register(role=Role.MODERATOR)
    answer = system.client.post(
        f"/v1/moderation/users/{person.user_id}/{route}", headers=moderator.auth, json=body
    )
    assert answer.status_code in (200, 201), answer.text


@pytest.mark.parametrize("kind", SANCTIONS)
def test_a_suspended_or_upload_restricted_person_can_start_no_upload(system: System, kind: str) -> None:
    # Given a draft made before the sanction
    owner = system.anonymous_user()
    video_id = draft(system, owner)
    # When they are sanctioned, then try to upload into it
    sanction(system, owner, kind)
    # Then no upload is opened
    assert_problem(create(system, owner, video_id, 10), 403)
    assert list(media(system).uploads_dir.iterdir()) == []


@pytest.mark.parametrize("kind", SANCTIONS)
def test_a_sanction_that_lands_mid_upload_stops_its_completion_and_keeps_no_source(
    system: System, clips: Clips, kind: str
) -> None:
    owner = system.anonymous_user()
    data = clips.good.read_bytes()
    video_id, url = new_upload(system, owner, len(data))
    sanction(system, owner, kind)
    assert_problem(patch(system, owner, url, 0, data), 403)
    assert not any(isinstance(e, videos.VideoUploadCompleted) for e in video_events(system, video_id))
    assert_nothing_left(system)


def test_a_video_longer_than_the_limit_is_rejected(tmp_path: Path, clips: Clips) -> None:
    system = System(tmp_path, media=media_for(tmp_path, max_duration_s=1.0))
    try:
        owner = system.anonymous_user()
        data = clips.good.read_bytes()
        video_id, url = new_upload(system, owner, len(data))
        assert_problem(patch(system, owner, url, 0, data), 422, "at most 1 seconds are allowed")
        assert isinstance(video_events(system, video_id)[-1], videos.VideoUploadRejected)
        assert_nothing_left(system)
    finally:
        system.close()


# -- a real tus client over a real connection ------------------------------------------------------


def drop_mid_body(base: str, owner: User, path: str, offset: int, data: bytes) -> None:
    """A PATCH that promises ``2 * len(data)`` bytes, sends ``data`` and hangs up."""
    where = urlsplit(base)
    assert where.hostname is not None
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: {where.netloc}\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: {owner.auth['Authorization']}\r\n"
        f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n"
        f"Content-Length: {2 * len(data)}\r\n\r\n"
    )
    with socket.create_connection((where.hostname, where.port or 80)) as conn:
        conn.sendall(head.encode() + data)


def wait_for_offset(system: System, upload_id: str, offset: int) -> None:
    """The server notices the hang-up on its own schedule; this waits for the bytes it kept."""
    store = uploads(system).store
    deadline = time.monotonic() + 10
    while store.info(upload_id).offset != offset:
        assert time.monotonic() < deadline, f"offset stayed at {store.info(upload_id).offset}"
        time.sleep(0.02)


def test_tuspy_resumes_an_upload_after_its_connection_dropped(system: System, clips: Clips) -> None:
    owner = system.anonymous_user()
    video_id = draft(system, owner)
    data = clips.good.read_bytes()
    chunk = 4096
    assert len(data) > 4 * chunk
    with serving(system.app) as base:
        # Given tuspy sends two chunks of the clip, then the connection drops half-way through a third
        client = TusClient(f"{base}{UPLOADS}", headers=owner.auth)
        metadata = {"video_id": video_id, "filename": "clip.mp4"}
        first = client.uploader(file_path=str(clips.good), chunk_size=chunk, metadata=metadata)
        first.upload(stop_at=2 * chunk)
        assert first.url is not None
        upload_id = first.url.rsplit("/", 1)[1]
        drop_mid_body(base, owner, urlsplit(first.url).path, 2 * chunk, data[2 * chunk : 2 * chunk + 1000])
        wait_for_offset(system, upload_id, 2 * chunk + 1000)
        # When a new uploader resumes from the same URL
        resumed = client.uploader(
            file_path=str(clips.good), url=first.url, chunk_size=chunk, retries=3, retry_delay=0.1
        )
        assert resumed.offset == 2 * chunk + 1000
        resumed.upload()
    # Then the video is recorded as probed, and the stored source is the file, byte for byte
    completed = video_events(system, video_id)[-1]
    assert isinstance(completed, videos.VideoUploadCompleted)
    assert (completed.upload_id, completed.size_bytes) == (upload_id, len(data))
    assert (completed.width, completed.height) == (160, 120)
    assert completed.duration_ms == pytest.approx(2000, abs=100)
    assert media(system).storage.read(f"sources/{video_id}/{upload_id}") == data
    assert list(media(system).uploads_dir.iterdir()) == []
