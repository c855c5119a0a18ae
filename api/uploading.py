"""What happens when an upload's last byte arrives, apart from HTTP: probe, then keep or reject.

A playable video is copied into media storage as ``sources/<video_id>/<upload_id>`` before the owner's
``complete_upload`` is recorded, so an event never names a source that is not there; if recording fails
(the video was deleted meanwhile), the copy is removed again. Anything else is recorded as rejected,
by the pipeline, with the probe's reason. Either way the local bytes go: a finished upload leaves
nothing in the uploads folder.
"""

from __future__ import annotations

import time

from api.state import Media
from commands import videos as handlers
from commands.context import Outcome, Ports, Request
from domain import videos
from domain.videos.rules import MAX_DIMENSION, PIPELINE
from media import keys
from media.probe import NotPlayable, Probe, probe
from media.tus import Upload, UploadStore


def store_of(media: Media) -> UploadStore:
    return UploadStore(media.uploads_dir, media.upload_expiry_s)


def finish(media: Media, ports: Ports, request: Request, upload: Upload) -> Outcome:
    """The upload is complete: its ``VideoUploadCompleted``, or ``NotPlayable`` once its rejection is
    recorded. Blocks on ffprobe and the store: call it from a worker thread."""
    try:
        try:
            found = probe(upload.path, max_duration_s=media.max_duration_s, max_dimension=MAX_DIMENSION)
        except NotPlayable as refused:
            reject(ports, request, upload, refused.reason)
            raise
        return accept(media, ports, request, upload, found)
    finally:
        upload.remove()


def accept(media: Media, ports: Ports, request: Request, upload: Upload, found: Probe) -> Outcome:
    info = upload.info
    key = keys.source(info.video_id, info.upload_id)
    media.storage.put_file(key, upload.path)
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
        return handlers.complete_upload(cmd, ports=ports, request=request)
    except BaseException:
        media.storage.delete_prefix(key)
        raise


def reject(ports: Ports, request: Request, upload: Upload, reason: str) -> Outcome:
    """Recorded by the pipeline, in the uploader's correlation, so the two can be traced together."""
    info = upload.info
    cmd = videos.RejectUpload(PIPELINE, info.video_id, info.upload_id, info.length, reason)
    as_pipeline = Request(PIPELINE, correlation_id=request.correlation_id)
    return handlers.reject_upload(cmd, ports=ports, request=as_pipeline)


def sweep_expired(media: Media, now: float | None = None) -> int:
    """Removes uploads nobody finished in time; says how many. The server runs it periodically."""
    return store_of(media).sweep_expired(time.time() if now is None else now)
