"""Screening end to end on the in-process broker, with real ffmpeg: an upload is transcoded and
screened beside it; the owner may publish only what screening let through; a held video waits for
a moderator's release, a blocked one never publishes and lands in the moderators' queue as a report;
a replay under a changed policy records new verdicts; a job that keeps failing holds the video."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from PIL import Image

from commands import screening as screening_handlers
from commands import videos as handlers
from commands.context import FixedRules, Ports, Request
from domain import videos
from domain.actors import Actor, Role
from domain.errors import Conflict, NotAllowed
from domain.reports import ReportFiled
from domain.screening import SCREENER, Policy, Rules
from media.screening.blocklist import BlocklistFile
from media.screening.frames import FrameSampler
from media.screening.hashing import frame_hashes
from media.screening.port import Sampler
from media.screening.scan import Scanner, ScanSettings
from migrations.runner import apply_pending
from projections.screening_requests import ScreeningRequests
from read_models.sqlite import SQLiteReadStore
from tests.clips import clip, ffmpeg
from tests.integration.pipeline_world import PipelineWorld, join_queues
from workers.jobs import RetryPolicy, declare_transcoding, transcode_sender
from workers.screening import QUEUE, Screening, declare_screening, screening_sender
from workers.transcoding import Transcoder

FAST_RETRIES = RetryPolicy(max_retries=1, min_backoff_ms=50, max_backoff_ms=100)
MODERATOR = Actor("a-moderator", Role.MODERATOR)


@dataclasses.dataclass
class FixedScore:
    """A classifier that gives every frame the same score: the policy path without explicit media."""

    value: float
    name: str = "fixed"

    def score(self, frames: Sequence[Image.Image]) -> list[float]:
        return [self.value for _ in frames]


class Broken:
    """A sampler whose every read fails for a transient reason."""

    def sample(self, path: Path, count: int) -> list[Image.Image]:
        raise OSError("the scratch disk went away")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clip(tmp_path_factory.mktemp("clips") / "source.mp4", size="320x240", seconds=3)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PipelineWorld]:
    w = PipelineWorld(tmp_path)
    yield w
    w.close()


@pytest.fixture
def read_store(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    store = SQLiteReadStore(tmp_path / "read.db")
    apply_pending(store)
    yield store
    store.close()


def with_policy(world: PipelineWorld, policy: Policy) -> Ports:
    return dataclasses.replace(world.ports, screening=FixedRules(Rules(policy=policy)))


def screening(
    ports: Ports, world: PipelineWorld, blocklist: BlocklistFile, score: float, sampler: Sampler | None = None
) -> Screening:
    scanner = Scanner(sampler or FrameSampler(), blocklist, FixedScore(score), ScanSettings(frames=6))
    return Screening(ports, world.storage, scanner)


def run_pipeline(world: PipelineWorld, store: SQLiteReadStore, job: Screening) -> None:
    """The process managers ask, a real dramatiq worker transcodes and screens, until all is done."""
    broker = StubBroker()
    head = world.store.head_position()
    ScreeningRequests(
        events=world.store, codec=world.ports.codec, store=store, enqueue=screening_sender(broker)
    ).run(until=head)
    enqueue = transcode_sender(broker)
    for record in world.store.read_all(after=0):
        if record.type == "VideoUploadCompleted":
            enqueue(
                str(record.data["video_id"]), str(record.data["upload_id"]), int(record.data["duration_ms"])
            )
    declare_transcoding(broker, Transcoder(job.ports, world.storage), FAST_RETRIES)
    declare_screening(broker, job, FAST_RETRIES)
    worker = Worker(broker, worker_threads=2)
    worker.start()
    try:
        broker.join(QUEUE, timeout=120_000, fail_fast=False)
        join_queues(broker)
        worker.join()
    finally:
        worker.stop()


def publish(ports: Ports, world: PipelineWorld, video_id: str) -> None:
    cmd = videos.PublishVideo(world.owner, video_id, "my clip")
    handlers.publish_video(cmd, ports=ports, request=Request(world.owner))


def reports_about(world: PipelineWorld, video_id: str) -> list[ReportFiled]:
    stream = screening_handlers.screening_reports(video_id)
    if world.store.stream_version(stream) is None:
        return []
    decoded = [world.ports.codec.decode(record).event for record in world.store.read_stream(stream)]
    return [event for event in decoded if isinstance(event, ReportFiled)]


def test_a_clean_upload_is_screened_beside_its_transcode_and_published(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path, tmp_path: Path
) -> None:
    # Given
    ports = with_policy(world, Policy())
    video_id = world.uploaded(source)
    # When
    run_pipeline(world, read_store, screening(ports, world, BlocklistFile(tmp_path / "none.txt"), 0.01))
    # Then
    state = world.state(video_id)
    assert state.stage is videos.Stage.PROCESSED
    assert videos.current_screening(state) is not None
    assert world.event_types(video_id).count("VideoScreened") == 1
    publish(ports, world, video_id)
    assert world.state(video_id).published
    assert reports_about(world, video_id) == []


def test_a_held_upload_is_refused_until_a_moderator_releases_it(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path, tmp_path: Path
) -> None:
    # Given: the classifier scores above the threshold, which holds
    ports = with_policy(world, Policy(nsfw_threshold=0.6))
    video_id = world.uploaded(source)
    run_pipeline(world, read_store, screening(ports, world, BlocklistFile(tmp_path / "none.txt"), 0.9))
    # When / Then: refused while held
    with pytest.raises(Conflict, match="held for review"):
        publish(ports, world, video_id)
    (report,) = reports_about(world, video_id)
    assert (report.reporter_id, report.target_id, report.reason) == (SCREENER.user_id, video_id, "nudity")
    # When: a moderator releases it
    release = videos.ReleaseVideo(MODERATOR, video_id, "a painting, not nudity")
    screening_handlers.release_video(release, ports=ports, request=Request(MODERATOR))
    # Then
    publish(ports, world, video_id)
    assert world.state(video_id).published


def test_a_blocklisted_clip_re_encoded_is_blocked_and_reported_and_never_published(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path, tmp_path: Path
) -> None:
    # Given: the operator blocklisted the clip; someone uploads it at another size and bitrate
    blocklist = BlocklistFile(tmp_path / "blocklist.txt")
    blocklist.add(frame_hashes(FrameSampler().sample(source, 6)), "known bad")
    copy = tmp_path / "copy.mp4"
    ffmpeg(
        "-i", str(source), "-vf", "scale=480:360", "-c:v", "libx264", "-b:v", "200k", "-c:a", "aac", str(copy)
    )
    ports = with_policy(world, Policy())
    video_id = world.uploaded(copy)
    # When
    run_pipeline(world, read_store, screening(ports, world, blocklist, 0.0))
    # Then
    screened = videos.current_screening(world.state(video_id))
    assert screened is not None
    assert screened.verdict == "blocked"
    with pytest.raises(NotAllowed, match="blocked"):
        publish(ports, world, video_id)
    (report,) = reports_about(world, video_id)
    assert report.note is not None
    assert "blocklist" in report.note
    release = videos.ReleaseVideo(MODERATOR, video_id, "let it through")
    with pytest.raises(Conflict, match="cannot be released"):
        screening_handlers.release_video(release, ports=ports, request=Request(MODERATOR))


def test_a_replay_under_a_changed_blocklist_hides_a_published_video_and_records_nothing_twice(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path, tmp_path: Path
) -> None:
    # Given: a video screened clean and published
    blocklist = BlocklistFile(tmp_path / "blocklist.txt")
    ports = with_policy(world, Policy())
    video_id = world.uploaded(source)
    job = screening(ports, world, blocklist, 0.0)
    run_pipeline(world, read_store, job)
    publish(ports, world, video_id)
    # When: the operator blocklists it, and the past uploads are screened again
    blocklist.add(frame_hashes(FrameSampler().sample(source, 6)), "found later")
    job.run(video_id, "up-1")
    job.run(video_id, "up-1")  # a second replay finds nothing new
    # Then
    state = world.state(video_id)
    assert state.hidden
    assert world.event_types(video_id).count("VideoScreened") == 2
    assert world.event_types(video_id).count("VideoHidden") == 1
    assert len(reports_about(world, video_id)) == 1


def test_a_screening_that_keeps_failing_holds_the_video(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path, tmp_path: Path
) -> None:
    # Given
    ports = with_policy(world, Policy())
    video_id = world.uploaded(source)
    # When: every attempt fails, and the retries are spent
    run_pipeline(world, read_store, screening(ports, world, BlocklistFile(tmp_path / "x.txt"), 0.0, Broken()))
    # Then
    screened = videos.current_screening(world.state(video_id))
    assert screened is not None
    assert (screened.verdict, screened.failed) == ("held", "screening failed 2 times")
    with pytest.raises(Conflict, match="held"):
        publish(ports, world, video_id)


def test_the_process_manager_asks_nothing_for_an_upload_already_screened(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path, tmp_path: Path
) -> None:
    # Given
    ports = with_policy(world, Policy())
    video_id = world.uploaded(source)
    run_pipeline(world, read_store, screening(ports, world, BlocklistFile(tmp_path / "x.txt"), 0.0))
    asked: list[tuple[str, str]] = []
    # When: the log is replayed from the start
    requests = ScreeningRequests(
        events=world.store,
        codec=world.ports.codec,
        store=read_store,
        enqueue=lambda *a: asked.append(a),
        from_start=True,
    )
    requests.run(until=world.store.head_position())
    # Then
    assert asked == []
    assert videos.current_screening(world.state(video_id)) is not None
