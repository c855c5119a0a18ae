"""Media in a test: videos processed into the real key layout, their objects in file storage where
the card says, behind the harness's API with the projectors the media routes read."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from api.state import Media
from commands import streams
from commands.aggregates import VIDEO
from commands.context import Request
from commands.handling import execute
from domain import videos
from domain.access import Visibility
from domain.actors import Actor
from domain.screening import SCREENER
from domain.videos.rules import PIPELINE
from eventstore.ids import uuid7
from media.storage import FileStorage
from projections.models import profiles, video_counters, video_details
from read_models import video_details as model
from tests.integration.api.harness import System, User, screened_clean

KEY = b"k" * 32
FAR = 4_102_444_800  # 2100-01-01
SEGMENT = bytes(range(256)) * 4  # 1024 bytes, each offset tells where it came from
MASTER = b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n720p/index.m3u8\n"
OBJECTS = {
    "master.m3u8": MASTER,
    "720p/index.m3u8": b'#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.0,\nseg-00001.m4s\n',
    "720p/init.mp4": b"\x00\x00\x00\x18ftypiso6",
    "720p/seg-00001.m4s": SEGMENT,
    "poster.jpg": b"\xff\xd8\xff\xe0poster",
    "thumbs.jpg": b"\xff\xd8\xff\xe0strip",
    "thumbs.vtt": b"WEBVTT\n\n00:00.000 --> 00:02.000\nthumbs.jpg#xywh=0,0,160,90\n",
}
SEGMENT_PATH = "720p/seg-00001.m4s"
YEAR = "max-age=31536000, immutable"


class World:
    """The harness with media storage: videos processed into the real key layout, their objects in
    the store where the card says, and the projectors the routes read."""

    def __init__(self, tmp: Path, *, with_media: bool = True) -> None:
        self.storage = FileStorage(tmp / "media")
        media = Media(storage=self.storage, uploads_dir=tmp / "uploads", signing_key=KEY)
        self.system = System.with_read_side(tmp, **({"media": media} if with_media else {}))
        self.client = self.system.client

    def project(self) -> None:
        self.system.project(video_details.PROJECTOR, video_counters.PROJECTOR, profiles.PROJECTOR)

    def act(self, method: str, path: str, user: User, **body: Any) -> None:
        response = self.client.request(method, path, headers=user.auth, json=body or None)
        assert response.status_code in (200, 201, 202), response.text

    def processed(self, owner: User) -> str:
        """A video through upload and processing, its outputs under ``videos/<id>/<upload>/``."""
        video_id, upload_id = str(uuid7()), str(uuid7())
        folder = f"videos/{video_id}/{upload_id}"
        me = Actor(owner.user_id)
        done = videos.CompleteProcessing(
            PIPELINE,
            video_id,
            ["720p"],
            f"{folder}/master.m3u8",
            f"{folder}/poster.jpg",
            f"{folder}/thumbs.vtt",
            upload_id=upload_id,
        )
        steps: list[tuple[Actor, Callable[[videos.State], list[Any]]]] = [
            (me, lambda s: videos.decide_create_draft(s, videos.CreateDraft(me, video_id))),
            (
                me,
                lambda s: videos.decide_complete_upload(
                    s, videos.CompleteUpload(me, video_id, upload_id, 1_000, 4_000, 720, 1280)
                ),
            ),
            (
                PIPELINE,
                lambda s: videos.decide_start_processing(
                    s, videos.StartProcessing(PIPELINE, video_id, upload_id=upload_id)
                ),
            ),
            (PIPELINE, lambda s: videos.decide_complete_processing(s, done)),
            (SCREENER, lambda s: videos.decide_record_screening(s, screened_clean(video_id, upload_id))),
        ]
        for actor, decide in steps:
            execute(self.system.ports, Request(actor), streams.video(video_id), VIDEO, decide)
        self.storage.put_bytes(f"sources/{video_id}/{upload_id}", b"the original upload")
        return video_id

    def video(self, owner: User, visibility: Visibility = Visibility.PUBLIC) -> str:
        """Processed, published with ``visibility``, projected, and its objects stored."""
        video_id = self.processed(owner)
        self.act("POST", f"/v1/videos/{video_id}/publish", owner, caption="clip", visibility=visibility)
        self.project()
        self.stock(video_id)
        return video_id

    def stock(self, video_id: str) -> None:
        for name, data in OBJECTS.items():
            self.storage.put_bytes(posixpath.join(self.folder(video_id), name), data)

    def folder(self, video_id: str) -> str:
        """Where the card says the outputs are: the master playlist's folder."""
        card = model.video_card(self.system.read_store, video_id)
        assert card is not None
        assert card.master_playlist is not None
        return posixpath.dirname(card.master_playlist)

    def public(
        self, video_id: str, name: str, user: User | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return self.get(f"/v1/media/{self.folder(video_id)}/{name}", user, headers=headers)

    def get(
        self, url: str, user: User | None = None, method: str = "GET", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        auth = user.auth if user else {}
        response: httpx.Response = self.client.request(method, url, headers={**auth, **(headers or {})})
        return response

    def playback(self, video_id: str, user: User | None = None) -> Any:
        response = self.get(f"/v1/videos/{video_id}", user)
        assert response.status_code == 200, response.text
        return response.json()["playback"]

    def signed(self, video_id: str, user: User, name: str) -> str:
        """The URL of ``name`` beside the master playlist in ``user``'s playback URLs."""
        master: str = self.playback(video_id, user)["master_playlist"]
        return urljoin(master, name)

    def close(self) -> None:
        self.system.close()
