"""Uploads apart from HTTP: opening one under the limits, and finishing it (probe, then keep or
reject). The tus route and the demo's seeding both come through here: one path, one set of limits.

Opening checks the file's size first (``TooLarge``: such a file never fits), then that the caller
may upload into the draft (read from the video's stream), then the caps (``OverCap``: come back
later), each counted where it survives a restart and every process sees the same:

- Unfinished uploads per user, and the bytes they declared (``Upload-Length``) per user and in all:
  counted in the uploads folder itself, which every API process taking uploads into it shares. An
  upload stops counting the moment its files go (finished, ended, expired). Counting and creating
  hold the folder's lock, so two creations cannot slip past a cap together.
- Transcode jobs queued or running per user: counted in ``transcode_jobs``, which the process
  manager that queues them keeps, within the projection lag (a fraction of a second). Checked when
  an upload is created, not when it finishes: a user told to wait before sending any bytes loses
  nothing, while refusing a finished upload would throw its bytes away. So a user at the cap can
  go over it by the uploads already open when it was reached.

Finishing: a playable video is copied into media storage as ``sources/<video_id>/<upload_id>``
before the owner's ``complete_upload`` is recorded, so an event never names a source that is not
there; if recording fails, the copy is removed again. So it is when, with the copy stored, the
streams say the video was deleted or its owner erased meanwhile: the media cleanup may have acted on
that already, before the copy was there (``commands/media_keeping.py``). Anything else is recorded
as rejected, by the pipeline, with the probe's reason. The local bytes go once the verdict is
recorded, or once it can never be (the video was deleted meanwhile). If a store could not be reached
they stay, so the client's retry (a PATCH of no bytes at the final offset) finishes the upload; else
it expires.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from pathlib import Path

from commands import videos as handlers
from commands.context import Outcome, Ports, Request
from commands.media_keeping import may_keep_media_of
from domain import videos
from domain.errors import Conflict, DomainError
from domain.videos.rules import MAX_DIMENSION, PIPELINE
from media import keys
from media.probe import NotPlayable, Probe, probe
from media.storage import MediaStorage
from media.tus import Upload, UploadError, UploadInfo, UploadStore
from read_models import transcode_jobs
from read_models.port import ReadStore

#: What a refusal over a cap suggests waiting: a slot frees as an upload finishes or a job ends.
RETRY_AFTER_S = 60
#: Bytes read at a time from a local file taken in as an upload.
READ_BYTES = 1 << 20


@dataclasses.dataclass(frozen=True, slots=True)
class Caps:
    """How much may be on its way at once; over any, an upload is refused for now."""

    open_per_user: int = 5
    inflight_bytes_per_user: int = 2 * 1024**3
    inflight_bytes: int = 20 * 1024**3  # the whole uploads folder
    jobs_per_user: int = 3


@dataclasses.dataclass(frozen=True, slots=True)
class UploadLimits:
    max_bytes: int = 500 * 1024**2  # one upload
    max_duration_s: float = 600.0
    expiry_s: int = 24 * 3600  # an upload unfinished this long is removed
    caps: Caps = dataclasses.field(default_factory=Caps)


class TooLarge(Exception):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"the file is {length} bytes; at most {limit} are allowed")
        self.limit = limit


class OverCap(Exception):
    """Not now: a cap is reached. ``retry_after_s`` says when trying again is worth it."""

    def __init__(self, detail: str, retry_after_s: int = RETRY_AFTER_S) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class Uploads:
    """The upload use case on one uploads folder, media storage and set of limits. ``jobs`` is the
    read store holding ``transcode_jobs``; without one, the per-user job cap is not checked."""

    def __init__(
        self,
        *,
        ports: Ports,
        storage: MediaStorage,
        folder: Path,
        limits: UploadLimits,
        jobs: ReadStore | None = None,
    ) -> None:
        self.ports, self.storage, self.limits, self.jobs = ports, storage, limits, jobs
        self.store = UploadStore(folder, limits.expiry_s)

    def open(self, request: Request, video_id: str, length: int, metadata: dict[str, str]) -> UploadInfo:
        """A new upload of ``length`` bytes into the caller's draft, within every limit."""
        self.check_size(length)
        owner_id = request.actor.user_id
        handlers.check_upload(self.ports, request.actor, video_id)
        self._check_jobs(owner_id)
        with self.store.creating():
            self._check_inflight(owner_id, length)
            return self.store.create(
                request.new_id("upload"),
                owner_id=owner_id,
                video_id=video_id,
                length=length,
                metadata=metadata,
            )

    def check_size(self, length: int) -> None:
        """Before anything else is looked at: a file over the limit can never be taken."""
        if length > self.limits.max_bytes:
            raise TooLarge(length, self.limits.max_bytes)

    def finish(self, request: Request, upload: Upload) -> Outcome:
        """The upload is complete: its ``VideoUploadCompleted``, or ``NotPlayable`` once its
        rejection is recorded. Blocks on ffprobe and the stores: call it from a worker thread."""
        try:
            outcome = self._judge(request, upload)
        except DomainError:
            upload.remove()  # judged for good: rejected, or the video can no longer take it
            raise
        upload.remove()
        return outcome

    def upload_file(self, request: Request, video_id: str, path: Path) -> Outcome:
        """A file already on this machine, taken in as a tus upload is: same limits, same finish."""
        info = self.open(request, video_id, path.stat().st_size, {"filename": path.name})
        with self.store.locked(info.upload_id) as upload, path.open("rb") as file:
            while chunk := file.read(READ_BYTES):
                upload.write(chunk)
            upload.sync()
            return self.finish(request, upload)

    def sweep_expired(self, now: float | None = None) -> int:
        """Removes uploads nobody finished in time; says how many."""
        return self.store.sweep_expired(time.time() if now is None else now)

    def sweep(self, now: float | None = None) -> int:
        """Removes uploads nobody finished in time, and those whose video can take them no more
        (deleted, or its owner erased): an erased person's half-sent bytes and file name must not wait
        out the expiry. Says how many; the server runs it periodically. One being written to now is
        left for the next sweep (its own completion refuses it meanwhile)."""
        now = time.time() if now is None else now
        removed = self.store.sweep_expired(now)
        for info in self.store.unfinished(now):
            if not may_keep_media_of(self.ports, info.video_id):
                with contextlib.suppress(UploadError):
                    self.store.terminate(info.upload_id)
                    removed += 1
        return removed

    # -- the caps ----------------------------------------------------------------------------------

    def _check_jobs(self, owner_id: str) -> None:
        cap = self.limits.caps.jobs_per_user
        if self.jobs is not None and transcode_jobs.pending(self.jobs, owner_id, at_most=cap) >= cap:
            raise OverCap(
                f"{cap} of your videos are waiting to be transcoded, as many as may wait at once; "
                "upload the next one when one of them is ready"
            )

    def _check_inflight(self, owner_id: str, length: int) -> None:
        unfinished = self.store.unfinished(time.time())
        mine = [info for info in unfinished if info.owner_id == owner_id]
        caps = self.limits.caps
        if len(mine) >= caps.open_per_user:
            raise OverCap(
                f"you have {len(mine)} uploads not finished, as many as may be open at once; "
                "finish one or end it (DELETE its URL) first"
            )
        if sum(info.length for info in mine) + length > caps.inflight_bytes_per_user:
            raise OverCap(
                f"your unfinished uploads and this one come to more than the "
                f"{caps.inflight_bytes_per_user} bytes that may be on their way at once; "
                "finish or end one first"
            )
        if sum(info.length for info in unfinished) + length > caps.inflight_bytes:
            raise OverCap("the server is taking in as many uploads as it can right now; try again later")

    # -- finishing ---------------------------------------------------------------------------------

    def _judge(self, request: Request, upload: Upload) -> Outcome:
        try:
            found = probe(upload.path, max_duration_s=self.limits.max_duration_s, max_dimension=MAX_DIMENSION)
        except NotPlayable as refused:
            self._reject(request, upload.info, refused.reason)
            raise
        return self._accept(request, upload, found)

    def _accept(self, request: Request, upload: Upload, found: Probe) -> Outcome:
        info = upload.info
        key = keys.source(info.video_id, info.upload_id)
        self.storage.put_file(key, upload.path)
        cmd = videos.CompleteUpload(
            request.actor,
            info.video_id,
            info.upload_id,
            size_bytes=info.length,
            duration_ms=max(1, round(found.duration_s * 1000)),
            width=found.width,
            height=found.height,
        )
        try:
            self._ensure_wanted(info.video_id)
            return handlers.complete_upload(cmd, ports=self.ports, request=request)
        except BaseException:
            self.storage.delete_prefix(key)
            raise

    def _ensure_wanted(self, video_id: str) -> None:
        """Asked with the source stored, not before: a deletion or erasure recorded after this
        answer finds the source in storage when the media cleanup acts on it."""
        if not may_keep_media_of(self.ports, video_id):
            raise Conflict("the video was deleted, or its owner's account erased, while it was uploading")

    def _reject(self, request: Request, info: UploadInfo, reason: str) -> Outcome:
        """Recorded by the pipeline, in the uploader's correlation, so the two can be traced together."""
        cmd = videos.RejectUpload(PIPELINE, info.video_id, info.upload_id, info.length, reason)
        as_pipeline = Request(PIPELINE, correlation_id=request.correlation_id)
        return handlers.reject_upload(cmd, ports=self.ports, request=as_pipeline)
