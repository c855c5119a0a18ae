"""Choosing a cover end to end: the owner's choice through the API, the process manager that asks for
it, the job that makes it from the video's own rendition with the real ffmpeg, and the poster the
API hands out afterwards, at a new URL each time."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from commands import streams
from commands import videos as handlers
from commands.aggregates import VIDEO
from commands.context import Request
from commands.handling import execute
from domain import videos
from domain.actors import Actor
from domain.screening import SCREENER
from domain.videos.rules import PIPELINE
from eventstore.ids import uuid7
from media import keys
from media.ladder import plan
from media.probe import probe
from media.transcode import publish, transcode
from projections.cover_requests import CoverRequests
from tests.clips import ffmpeg
from tests.integration.api.harness import User, screened_clean
from tests.integration.api.media_world import World
from workers.covers import CoverMaker

RED, BLUE = (254, 0, 0), (0, 0, 254)


@pytest.fixture(scope="module")
def red_then_blue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four seconds: red for the first, blue for the rest; so a frame tells when it was taken."""
    path = tmp_path_factory.mktemp("clips") / "red-then-blue.mp4"
    graph = (
        "color=c=red:s=320x240:r=30:d=1,format=yuv420p[r];"
        "color=c=blue:s=320x240:r=30:d=3,format=yuv420p[b];[r][b]concat=n=2:v=1:a=0[out]"
    )
    ffmpeg("-filter_complex", graph, "-map", "[out]", "-c:v", "libx264", str(path))
    return path


class Covers:
    """The API with real media storage, a video processed by the real ladder, and the cover pipeline
    run by hand: the process manager asks, and the job runs at once."""

    def __init__(self, tmp: Path, clip: Path) -> None:
        self.world = World(tmp)
        self.system, self.storage = self.world.system, self.world.storage
        self.maker = CoverMaker(self.system.ports, self.storage)
        self.asked: list[tuple[str, str]] = []
        self.owner = self.system.register("owner")
        self.video_id, self.upload_id = str(uuid7()), str(uuid7())
        self._process(clip, tmp / "work")

    def _process(self, clip: Path, work: Path) -> None:
        found = probe(clip)
        owner, video_id, upload_id = Actor(self.owner.user_id), self.video_id, self.upload_id
        self.storage.put_file(keys.source(video_id, upload_id), clip)
        done = publish(
            transcode(clip, found, work, plan(found)), self.storage, keys.outputs(video_id, upload_id)
        )
        upload = videos.CompleteUpload(owner, video_id, upload_id, clip.stat().st_size, 4_000, 320, 240)
        complete = videos.CompleteProcessing(
            PIPELINE,
            video_id,
            done.renditions,
            done.master_playlist,
            done.poster,
            done.thumbnails,
            upload_id=upload_id,
        )
        steps: list[tuple[Actor, Callable[[videos.State], list[Any]]]] = [
            (owner, lambda s: videos.decide_create_draft(s, videos.CreateDraft(owner, video_id))),
            (owner, lambda s: videos.decide_complete_upload(s, upload)),
            (
                PIPELINE,
                lambda s: videos.decide_start_processing(
                    s, videos.StartProcessing(PIPELINE, video_id, upload_id=upload_id)
                ),
            ),
            (PIPELINE, lambda s: videos.decide_complete_processing(s, complete)),
            (SCREENER, lambda s: videos.decide_record_screening(s, screened_clean(video_id, upload_id))),
        ]
        for actor, decide in steps:
            execute(self.system.ports, Request(actor), streams.video(video_id), VIDEO, decide)
        self.world.act("POST", f"/v1/videos/{video_id}/publish", self.owner, caption="colours")
        self.world.project()

    def choose(self, at_ms: Any, user: User | None = None, video_id: str | None = None) -> httpx.Response:
        who = user or self.owner
        path = f"/v1/videos/{video_id or self.video_id}/cover"
        response: httpx.Response = self.world.client.put(path, json={"at_ms": at_ms}, headers=who.auth)
        return response

    def requests(self, *, from_start: bool = False) -> CoverRequests:
        def enqueue(video_id: str, cover_id: str) -> None:
            self.asked.append((video_id, cover_id))
            self.maker.run(video_id, cover_id)

        system = self.system
        return CoverRequests(
            events=system.store,
            codec=system.ports.codec,
            store=system.read_store,
            enqueue=enqueue,
            from_start=from_start,
        )

    def make(self) -> None:
        """The process manager over the log so far (each job runs as it is asked), then the read side."""
        self.requests().run(until=self.system.store.head_position())
        self.world.project()

    def poster(self) -> str:
        url: str = self.world.playback(self.video_id)["poster"]
        return url

    def colour_of(self, url: str) -> tuple[int, ...]:
        served = self.world.get(url)
        assert served.status_code == 200, served.text
        assert served.headers["content-type"] == "image/jpeg"
        found = Image.open(io.BytesIO(served.content)).convert("RGB").getpixel((160, 120))
        assert isinstance(found, tuple)
        return found

    def covers(self) -> list[str]:
        return self.storage.keys(keys.covers(self.video_id, self.upload_id))

    def state(self) -> videos.State:
        return handlers.current(self.system.ports, self.video_id)


@pytest.fixture
def covers(tmp_path: Path, red_then_blue: Path) -> Iterator[Covers]:
    c = Covers(tmp_path, red_then_blue)
    yield c
    c.world.close()


def near(found: tuple[int, ...], wanted: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 40 for a, b in zip(found, wanted, strict=True))


def test_the_chosen_frame_becomes_the_poster_at_a_new_url(covers: Covers) -> None:
    # Given a published video whose poster processing took from its red first second
    ladder_poster = covers.poster()
    assert near(covers.colour_of(ladder_poster), RED)
    # When the owner chooses the frame at 2.5 s
    response = covers.choose(2_500)
    assert response.status_code == 202, response.text
    # Then nothing changes until the job has run
    covers.world.project()
    assert covers.poster() == ladder_poster
    # And once it has, the poster is that blue frame, at a URL of its own
    covers.make()
    poster = covers.poster()
    assert poster != ladder_poster
    assert poster.endswith(f"/covers/{response.json()['cover_id']}.jpg")
    assert near(covers.colour_of(poster), BLUE)


def test_choosing_again_replaces_the_cover_and_its_file_and_keeps_the_ladders(covers: Covers) -> None:
    # Given a cover made at 2.5 s
    covers.choose(2_500)
    covers.make()
    first = covers.poster()
    # When the owner picks 0.5 s instead
    covers.choose(500)
    covers.make()
    # Then the poster is red again, at yet another URL, and the first cover's file is gone
    assert covers.poster() != first
    assert near(covers.colour_of(covers.poster()), RED)
    assert len(covers.covers()) == 1
    assert covers.world.get(first).status_code == 404
    assert covers.storage.exists(f"{keys.outputs(covers.video_id, covers.upload_id)}/poster.jpg")


def test_the_cover_is_made_from_the_rendition_not_from_the_upload(covers: Covers) -> None:
    # Given the upload itself gone from storage
    covers.storage.delete_prefix(keys.source(covers.video_id, covers.upload_id))
    # When / Then a cover is still made
    covers.choose(3_000)
    covers.make()
    assert near(covers.colour_of(covers.poster()), BLUE)


def test_a_replay_of_the_log_makes_no_cover_twice(covers: Covers) -> None:
    # Given a cover made
    covers.choose(2_000)
    covers.make()
    assert len(covers.asked) == 1
    # When the process manager reads the whole log again, as with a broker that lost its queue
    covers.requests(from_start=True).run(until=covers.system.store.head_position())
    # Then it asks for nothing
    assert len(covers.asked) == 1


def test_a_job_for_a_choice_since_replaced_makes_nothing(covers: Covers) -> None:
    # Given two choices in a row, neither made yet
    older = covers.choose(2_000).json()["cover_id"]
    newer = covers.choose(600).json()["cover_id"]
    # When the older one's job runs late
    covers.maker.run(covers.video_id, older)
    # Then it made nothing, and the newer is still awaited; its own job then makes it
    assert covers.covers() == []
    assert videos.pending_cover(covers.state(), newer) is not None
    covers.maker.run(covers.video_id, newer)
    covers.world.project()
    assert near(covers.colour_of(covers.poster()), RED)


def test_a_tampered_rendition_that_points_elsewhere_fails_the_cover_and_reads_nothing(covers: Covers) -> None:
    # Given the rendition's playlist rewritten to name the upload instead of its segments
    folder = keys.outputs(covers.video_id, covers.upload_id)
    playlist = next(k for k in covers.storage.keys(folder) if k.endswith("/index.m3u8"))
    source = f"../../../../{keys.source(covers.video_id, covers.upload_id)}"
    covers.storage.put_bytes(
        playlist, f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n{source}\n#EXT-X-ENDLIST\n".encode()
    )
    ladder_poster = covers.poster()
    # When a cover is chosen and its job runs
    covers.choose(1_500)
    covers.make()
    # Then the cover failed, the poster stays, and no picture was made
    assert covers.state().cover is not None
    assert covers.state().cover.status is videos.CoverStatus.FAILED  # type: ignore[union-attr]
    assert covers.poster() == ladder_poster
    assert covers.covers() == []


@pytest.mark.parametrize(
    ("at_ms", "status"),
    [(4_000, 422), (60_000, 422), (-1, 422), ("1500", 422), (1.5, 422), (None, 422)],
)
def test_a_time_outside_the_video_or_not_a_whole_number_is_refused(
    covers: Covers, at_ms: Any, status: int
) -> None:
    # Given / When / Then
    before = covers.system.store.head_position()
    response = covers.choose(at_ms)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert covers.system.store.head_position() == before


def test_only_the_owner_of_a_processed_video_chooses(covers: Covers) -> None:
    # Given someone else, a draft with no upload, and no video at all / When / Then
    stranger = covers.system.register("stranger")
    assert covers.choose(1_000, stranger).status_code == 404  # to anyone else, no such video
    draft = covers.world.client.post("/v1/videos", json={}, headers=covers.owner.auth).json()["video_id"]
    assert covers.choose(1_000, video_id=draft).status_code == 409
    assert covers.choose(1_000, video_id=str(uuid7())).status_code == 404
