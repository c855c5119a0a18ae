"""A whole Strom as a person meets it: ``strom run`` in a subprocess, on files in a temporary folder,
serving the built web client at ``/`` beside the API, with the demo seeded through the real pipeline.

The browser tests (``tests/e2e``) and the client benchmark (``benchmarks.web_client``) both stand on
it. Nothing here knows about the browser beyond where Chromium lives and how to start it.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx

from strom.demo import CLIPS, PASSWORD, PEOPLE

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
#: Headless Debian Chromium as the tests run it: no sandbox (containers), no GPU, nothing fetched
#: on its own, and video may start without a gesture (the feed autoplays muted anyway).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--autoplay-policy=no-user-gesture-required",
)
DEMO_HANDLES = tuple(handle for handle, _ in PEOPLE)
DEMO_PASSWORD = PASSWORD
DEMO_VIDEOS = len(CLIPS)
#: Five 6 s clips through probe and the whole ladder on two shared cores take minutes.
DEMO_TIMEOUT_S = 420.0
START_TIMEOUT_S = 60.0
PROCESSING_TIMEOUT_S = 240.0
TUS = {"Tus-Resumable": "1.0.0"}
#: The watched words file in a running world's folder, read again by the server as it changes.
WATCHED_WORDS = "watched_words.txt"
T = TypeVar("T")


def missing_prerequisites() -> str | None:
    """Why the world cannot be built on this machine, or None when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (scripts/system_deps.sh installs it)"
    if shutil.which("ffmpeg") is None:
        return "ffmpeg is not installed (scripts/system_deps.sh installs it)"
    if not (DIST / "index.html").exists():
        return "the web client is not built: run `cd web && npm ci && npm run build` (make test does)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until(check: Callable[[], T | None], *, timeout_s: float, what: str, every_s: float = 0.25) -> T:
    """Polls ``check`` until it returns something other than None (or False); fails saying ``what``."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = check()
        if found is not None and found is not False:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout_s:g} s waiting for {what}")
        time.sleep(every_s)


@dataclasses.dataclass(frozen=True, slots=True)
class Account:
    """A signed-in person: what the client keeps in localStorage under ``strom.session``."""

    handle: str
    user_id: str
    token: str  # the access token: short-lived, renewed by the client with the refresh token
    expires_at_ms: int
    refresh_token: str = ""
    refresh_expires_at_ms: int = 0

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def session(self) -> dict[str, Any]:
        """The client's own shape (web/src/session.ts)."""
        return {
            "token": self.token,
            "userId": self.user_id,
            "expiresAt": self.expires_at_ms,
            "refreshToken": self.refresh_token,
            "refreshExpiresAt": self.refresh_expires_at_ms,
        }


@dataclasses.dataclass
class World:
    url: str
    folder: Path
    log: Path
    demo: dict[str, Account] = dataclasses.field(default_factory=dict)
    demo_videos: list[str] = dataclasses.field(default_factory=list)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30.0)

    # -- people --------------------------------------------------------------------------------------

    def sign_in(self, login: str, password: str) -> Account:
        with self.client() as http:
            answer = http.post("/v1/auth/token", json={"login": login, "password": password})
        answer.raise_for_status()
        body = answer.json()
        now = time.time()
        expires, session_expires = (int((now + body[k]) * 1000) for k in ("expires_in", "refresh_expires_in"))
        return Account(
            login, body["user_id"], body["access_token"], expires, body["refresh_token"], session_expires
        )

    def sign_up(self, prefix: str = "e2e") -> Account:
        """A new person with a unique handle, signed in; the password is the handle twice."""
        handle = f"{prefix}_{secrets.token_hex(4)}"
        account = {
            "handle": handle,
            "email": f"{handle}@e2e.strom.invalid",
            "password": handle * 2,
            "display_name": f"E2E {handle}",
        }
        with self.client() as http:
            created = http.post("/v1/accounts", json=account)
        if created.status_code != 201:
            raise RuntimeError(f"sign-up answered {created.status_code}: {created.text}")
        return self.sign_in(handle, handle * 2)

    def follow(self, follower: Account, followee_id: str) -> None:
        with self.client() as http:
            http.put(f"/v1/users/{followee_id}/follow", headers=follower.auth).raise_for_status()

    def followed_by(self, account: Account) -> list[str]:
        """Whom ``account`` follows, as the read side has it now."""
        with self.client() as http:
            answer = http.get(f"/v1/users/{account.user_id}/following", params={"limit": 100})
        answer.raise_for_status()
        return [item["user_id"] for item in answer.json()["items"]]

    # -- videos --------------------------------------------------------------------------------------

    def video(self, video_id: str, viewer: Account | None = None) -> dict[str, Any]:
        with self.client() as http:
            answer = http.get(f"/v1/videos/{video_id}", headers=viewer.auth if viewer else {})
        answer.raise_for_status()
        details: dict[str, Any] = answer.json()
        return details

    def videos_of(self, user_id: str) -> list[str]:
        with self.client() as http:
            answer = http.get(f"/v1/users/{user_id}/videos", params={"limit": 50})
        if not answer.is_success:
            return []
        return [item["video_id"] for item in answer.json()["items"]]

    def publish_clip(self, owner: Account, clip: Path, caption: str, visibility: str = "public") -> str:
        """What the upload page does, over HTTP: a draft, one tus upload, processing, publishing."""
        data = clip.read_bytes()
        with self.client() as http:
            video_id: str = http.post("/v1/videos", headers=owner.auth).json()["video_id"]
            metadata = f"video_id {base64.b64encode(video_id.encode()).decode()}"
            headers = {**owner.auth, **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata}
            created = http.post("/v1/uploads", headers=headers)
            if created.status_code != 201:
                raise RuntimeError(f"creating the upload answered {created.status_code}: {created.text}")
            patch = {
                **owner.auth,
                **TUS,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            }
            sent = http.patch(created.headers["Location"], headers=patch, content=data)
            if sent.status_code != 204:
                raise RuntimeError(f"the upload answered {sent.status_code}: {sent.text}")
            body = {"caption": caption, "visibility": visibility}

            def published() -> bool | None:
                answer = http.post(f"/v1/videos/{video_id}/publish", headers=owner.auth, json=body)
                if answer.status_code == 409:  # not processed yet
                    return None
                answer.raise_for_status()
                return True

            wait_until(
                published, timeout_s=PROCESSING_TIMEOUT_S, what=f"video {video_id} to publish", every_s=1
            )
        wait_until(
            lambda: video_id in self.videos_of(owner.user_id),
            timeout_s=30,
            what=f"video {video_id} on its owner's profile",
        )
        return video_id

    # -- the demo ------------------------------------------------------------------------------------

    def wait_for_demo(self, process: subprocess.Popen[bytes] | None, timeout_s: float) -> None:
        """Until the demo's people can sign in and all its videos are published and listed."""

        def ready() -> bool:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"strom run exited with {process.returncode}:\n{self.tail()}")
            if process is not None and "demo ready" not in self.log.read_text(errors="replace"):
                return False
            if not self.demo:
                with contextlib.suppress(httpx.HTTPStatusError):
                    self.demo = {handle: self.sign_in(handle, DEMO_PASSWORD) for handle in DEMO_HANDLES}
                if not self.demo:
                    return False
            listed = [v for account in self.demo.values() for v in self.videos_of(account.user_id)]
            if len(listed) < DEMO_VIDEOS:
                return False
            self.demo_videos = listed
            return True

        wait_until(ready, timeout_s=timeout_s, what=f"the demo's {DEMO_VIDEOS} videos", every_s=1)


def server_env(folder: Path) -> dict[str, str]:
    """Only our settings: a ``STROM_*`` left in the caller's shell must not point at real data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STROM_")}
    env.update(
        STROM_DATA_DIR=str(folder),
        STROM_EVENTSTORE_URL=f"sqlite:///{folder / 'events.db'}",
        STROM_READSTORE_URL=f"sqlite:///{folder / 'read.db'}",
        STROM_KEYSTORE_URL=f"sqlite:///{folder / 'keys.db'}",
        STROM_MEDIA_URL=f"file://{folder / 'media'}",
        STROM_UPLOADS_DIR=str(folder / "uploads"),
        # The world's own watched words (none until a test writes some), never the checkout's.
        STROM_SCREENING_WATCHED_WORDS=str(folder / WATCHED_WORDS),
        STROM_WRITE_RATE_PER_S="100",
        STROM_WRITE_BURST="400",
        # The world's own calls reuse the access tokens it signed in with for the whole run (the
        # client in the browser refreshes its own), so they get the longest lifetime allowed.
        STROM_TOKEN_TTL_S="3600",
        PYTHONUNBUFFERED="1",
    )
    return env


def attached_world(url: str, folder: Path) -> World:
    """A server someone already runs (``STROM_E2E_URL``), e.g. to iterate on tests without waiting
    for the demo to transcode again; its demo must be seeded."""
    world = World(url.rstrip("/"), folder, folder / "attached.log")
    world.log.write_text(f"attached to {url}: its output is wherever it was started\n")
    world.wait_for_demo(None, 60)
    return world


@contextlib.contextmanager
def running_world(folder: Path, *, demo_timeout_s: float = DEMO_TIMEOUT_S) -> Iterator[World]:
    """``strom run`` on ``folder``; yields once the demo is published; always stops the process group."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    world = World(f"http://127.0.0.1:{port}", folder, folder / "strom.log")
    command = [sys.executable, "-m", "strom", "run", "--port", str(port)]
    with world.log.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_env(folder),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: ffmpeg children go down with it
        )
        try:
            _wait_ready(world, process)
            world.wait_for_demo(process, demo_timeout_s)
            yield world
        finally:
            _stop(process)


def _wait_ready(world: World, process: subprocess.Popen[bytes]) -> None:
    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"strom run exited with {process.returncode}:\n{world.tail()}")
        with contextlib.suppress(httpx.TransportError), world.client() as http:
            return http.get("/readyz").is_success
        return False

    wait_until(ready, timeout_s=START_TIMEOUT_S, what=f"{world.url}/readyz", every_s=0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the group lets uvicorn close the stores; a group that hangs is killed."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
