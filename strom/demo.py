"""The demo ``make run`` seeds: three people, a handful of real videos that go through the whole
pipeline (upload, probe, transcode, publish), follows, likes and comments.

It runs beside the server and is safe to run again: every id comes from a fixed idempotency key,
and each step looks at what the log already holds before acting, so a restart finishes a demo cut
short and adds nothing to one that is complete. Its clips go through the upload service, as a tus
upload does: the same probe, the same limits.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import subprocess
import threading
import time
from pathlib import Path

from commands import accounts as account_handlers
from commands import comments as comment_handlers
from commands import likes as like_handlers
from commands import social as social_handlers
from commands import videos as video_handlers
from commands.context import Ports, Request
from domain import social, videos
from domain.accounts import GiveConsent
from domain.actors import Actor
from domain.engagement import comments, likes
from domain.errors import Conflict
from services.uploads import OverCap, Uploads

log = logging.getLogger("strom.demo")

PASSWORD = "strom-demo-password"
PEOPLE = (("mira", "Mira Okafor"), ("jonas", "Jonas Berg"), ("aiko", "Aiko Tanaka"))
PROCESSING_WAIT_S = 900.0
#: How often a demo upload held back by a cap tries again.
CAP_RETRY_S = 2.0


@dataclasses.dataclass(frozen=True, slots=True)
class Clip:
    owner: str
    caption: str
    source: str  # an ffmpeg lavfi source
    tone: int  # Hz


CLIPS = (
    Clip("mira", "Deep into the Mandelbrot set #fractals #math", "mandelbrot=size=720x1280:rate=30", 330),
    Clip("mira", "Colour study, no edits #gradients", "gradients=size=720x1280:rate=30:speed=0.02", 392),
    Clip(
        "jonas", "Conway's Game of Life, one morning #life #math", "life=size=720x1280:rate=30:mold=10", 440
    ),
    Clip("jonas", "Test pattern, landscape for once #retro", "testsrc2=size=1280x720:rate=30", 494),
    Clip("aiko", "Cellular automaton rule 110 #math", "cellauto=size=720x1280:rate=30:rule=110", 523),
)


class Demo:
    def __init__(self, ports: Ports, uploads: Uploads, folder: Path) -> None:
        self.ports, self.uploads, self.folder = ports, uploads, folder
        self.users: dict[str, Actor] = {}

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run_logged, name="demo", daemon=True)
        thread.start()
        return thread

    def _run_logged(self) -> None:
        try:
            self.run()
        except Exception:
            log.exception("the demo could not be seeded")

    def run(self) -> None:
        for handle, name in PEOPLE:
            self.users[handle] = self._person(handle, name)
            self._personalised(self.users[handle])
        ids = [self._uploaded(n, clip) for n, clip in enumerate(CLIPS)]
        self._social()
        for video_id, clip in zip(ids, CLIPS, strict=True):
            self._publish_when_processed(video_id, clip)
        self._engagement(ids)
        print(f"demo ready: {len(ids)} videos by @mira, @jonas and @aiko (password {PASSWORD})", flush=True)

    def _person(self, handle: str, name: str) -> Actor:
        request = Request(Actor("system:demo"), idempotency_key=f"demo-user-{handle}")
        account = account_handlers.NewAccount(handle, f"{handle}@demo.strom.invalid", PASSWORD, name)
        try:
            return Actor(account_handlers.register_user(account, ports=self.ports, request=request).user_id)
        except Conflict:
            user_id = account_handlers.find_user_id(handle, ports=self.ports)
            assert user_id is not None, f"@{handle} is taken by someone else"
            return Actor(user_id)

    def _personalised(self, person: Actor) -> None:
        """The demo people consent to a personalised For You, so it learns as you use it (consent
        starts withdrawn; giving it again records nothing)."""
        account_handlers.give_consent(GiveConsent(person), ports=self.ports, request=Request(person))

    def _uploaded(self, n: int, clip: Clip) -> str:
        owner = self.users[clip.owner]
        request = Request(owner, idempotency_key=f"demo-video-{n}")
        video_id = request.new_id("video")
        video_handlers.create_draft(videos.CreateDraft(owner, video_id), ports=self.ports, request=request)
        if video_handlers.current(self.ports, video_id).stage is videos.Stage.DRAFT:
            self._upload(owner, video_id, self._clip_file(n, clip))
        return video_id

    def _upload(self, owner: Actor, video_id: str, path: Path) -> None:
        """Held back by a cap (too many of the person's videos waiting to be transcoded), it waits
        its turn like a patient uploader."""
        deadline = time.monotonic() + PROCESSING_WAIT_S
        while True:
            try:
                self.uploads.upload_file(Request(owner), video_id, path)
                return
            except OverCap as over:
                if time.monotonic() > deadline:
                    raise
                log.info("demo upload of video %s waits: %s", video_id, over)
                time.sleep(min(CAP_RETRY_S, over.retry_after_s))

    def _clip_file(self, n: int, clip: Clip) -> Path:
        path = self.folder / f"clip-{n}.mp4"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            make_clip(path, clip)
        return path

    def _publish_when_processed(self, video_id: str, clip: Clip) -> None:
        owner = self.users[clip.owner]
        deadline = time.monotonic() + PROCESSING_WAIT_S
        while not _ready(state := video_handlers.current(self.ports, video_id)):
            if state.stage is videos.Stage.FAILED or time.monotonic() > deadline:
                log.warning("demo video %s was not processed (%s)", video_id, state.stage)
                return
            time.sleep(0.5)
        if not state.published:
            publish = videos.PublishVideo(owner, video_id, clip.caption)
            video_handlers.publish_video(publish, ports=self.ports, request=Request(owner))

    def _social(self) -> None:
        for follower, followee in (("jonas", "mira"), ("aiko", "mira"), ("aiko", "jonas"), ("mira", "aiko")):
            actor = self.users[follower]
            follow = social.FollowUser(actor, self.users[followee].user_id)
            social_handlers.follow_user(follow, ports=self.ports, request=Request(actor))

    def _engagement(self, ids: list[str]) -> None:
        for handle in ("jonas", "aiko"):
            actor = self.users[handle]
            like = likes.LikeVideo(actor, ids[0])
            like_handlers.like_video(like, ports=self.ports, request=Request(actor))
        jonas = self.users["jonas"]
        request = Request(jonas, idempotency_key="demo-comment-0")
        comment = comments.PostComment(jonas, request.new_id("comment"), ids[0], "How far down does it go?")
        comment_handlers.post_comment(comment, ports=self.ports, request=request)


def make_clip(path: Path, clip: Clip, seconds: float = 6.0) -> None:
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise RuntimeError("ffmpeg is not installed: run scripts/system_deps.sh as root")
    video = ["-f", "lavfi", "-i", clip.source]
    audio = ["-f", "lavfi", "-i", f"sine=frequency={clip.tone}:sample_rate=48000"]
    encode = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    temporary = path.with_suffix(".part.mp4")
    subprocess.run(
        [binary, "-v", "error", "-y", *video, *audio, "-t", str(seconds), *encode, str(temporary)],
        check=True,
        timeout=300,
    )
    temporary.replace(path)


def _ready(state: videos.State) -> bool:
    """Processed, and screened: what publishing needs."""
    return state.stage is videos.Stage.PROCESSED and videos.current_screening(state) is not None
