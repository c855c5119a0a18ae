"""Deciders for a video's way from draft to playable: the owner creates and uploads, the media
pipeline (``PIPELINE``) reports processing.

Jobs run at least once: a worker killed mid-job is run again. So a repeated report records nothing
rather than fail: starting what has started, finishing what has finished, failing what has failed,
and progress, which only ever goes up. Every report names its upload, and one about an upload that
has since been replaced is refused, so a stale job cannot touch the new upload's processing.
"""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import Conflict, NotAllowed
from domain.videos.commands import (
    CompleteProcessing,
    CompleteUpload,
    CreateDraft,
    FailProcessing,
    RejectUpload,
    ReportProcessingProgress,
    StartProcessing,
)
from domain.videos.events import (
    Event,
    VideoDraftCreated,
    VideoProcessingFailed,
    VideoProcessingProgressed,
    VideoProcessingStarted,
    VideoProcessingSucceeded,
    VideoUploadCompleted,
    VideoUploadRejected,
)
from domain.videos.rules import (
    PIPELINE,
    ensure_upload,
    require_id,
    valid_path,
    valid_percent,
    valid_reason,
    valid_renditions,
)
from domain.videos.state import Stage, State, ensure_open, ensure_owner, ensure_stage


def decide_create_draft(state: State, cmd: CreateDraft) -> list[Event]:
    if state.exists:
        raise Conflict("a video with this id already exists")
    video_id = require_id(cmd.video_id, "video_id")
    owner_id = require_id(cmd.actor.user_id, "actor")
    return [VideoDraftCreated(video_id=video_id, owner_id=owner_id)]


def decide_complete_upload(state: State, cmd: CompleteUpload) -> list[Event]:
    """The owner's client (or the pipeline, after probing) completes an upload of a draft; after a
    failed processing, a new upload replaces the old one."""
    ensure_can_upload(state, cmd.actor, cmd.video_id)
    upload_id = require_id(cmd.upload_id, "upload_id")
    ensure_upload(cmd.size_bytes, cmd.duration_ms, cmd.width, cmd.height)
    return [
        VideoUploadCompleted(
            video_id=state.video_id,
            owner_id=state.owner_id,
            upload_id=upload_id,
            size_bytes=cmd.size_bytes,
            duration_ms=cmd.duration_ms,
            width=cmd.width,
            height=cmd.height,
        )
    ]


def decide_reject_upload(state: State, cmd: RejectUpload) -> list[Event]:
    """The pipeline probed a finished upload and found no playable video in it; the draft (or the
    failed video) stays as it was, waiting for a better file."""
    _ensure_pipeline(state, cmd.actor, cmd.video_id)
    ensure_stage(state, Stage.DRAFT, Stage.FAILED, to="reject an upload")
    upload_id = require_id(cmd.upload_id, "upload_id")
    if upload_id == state.upload_id:
        raise Conflict("this upload was already accepted")
    return [
        VideoUploadRejected(
            video_id=state.video_id,
            owner_id=state.owner_id,
            upload_id=upload_id,
            size_bytes=max(0, cmd.size_bytes),
            reason=valid_reason(cmd.reason),
        )
    ]


def ensure_can_upload(state: State, actor: Actor, video_id: str) -> None:
    """Checked when an upload begins as well as when it completes, so a client learns at once that
    it may not upload, not after sending hundreds of megabytes. Anyone but the owner and the
    pipeline finds no video (``ensure_owner``)."""
    if actor == PIPELINE:
        ensure_open(state, video_id)
    else:
        ensure_owner(state, actor, video_id)
    ensure_stage(state, Stage.DRAFT, Stage.FAILED, to="complete an upload")


def decide_start_processing(state: State, cmd: StartProcessing) -> list[Event]:
    """Processing starts on a fresh upload, or again after a failure (a retry)."""
    _ensure_pipeline(state, cmd.actor, cmd.video_id, cmd.upload_id)
    if state.stage == Stage.PROCESSING:
        return []
    ensure_stage(state, Stage.UPLOADED, Stage.FAILED, to="start processing")
    return [VideoProcessingStarted(video_id=state.video_id, owner_id=state.owner_id)]


def decide_report_processing_progress(state: State, cmd: ReportProcessingProgress) -> list[Event]:
    _ensure_pipeline(state, cmd.actor, cmd.video_id, cmd.upload_id)
    ensure_stage(state, Stage.PROCESSING, to="report progress")
    percent = valid_percent(cmd.percent)
    if percent <= state.percent:
        return []
    return [VideoProcessingProgressed(video_id=state.video_id, owner_id=state.owner_id, percent=percent)]


def decide_complete_processing(state: State, cmd: CompleteProcessing) -> list[Event]:
    _ensure_pipeline(state, cmd.actor, cmd.video_id, cmd.upload_id)
    if state.stage == Stage.PROCESSED:
        return []
    ensure_stage(state, Stage.PROCESSING, to="complete processing")
    return [
        VideoProcessingSucceeded(
            video_id=state.video_id,
            owner_id=state.owner_id,
            renditions=valid_renditions(cmd.renditions),
            master_playlist=valid_path(cmd.master_playlist, "master_playlist"),
            poster=valid_path(cmd.poster, "poster"),
            thumbnails=None if cmd.thumbnails is None else valid_path(cmd.thumbnails, "thumbnails"),
        )
    ]


def decide_fail_processing(state: State, cmd: FailProcessing) -> list[Event]:
    _ensure_pipeline(state, cmd.actor, cmd.video_id, cmd.upload_id)
    if state.stage == Stage.FAILED:
        return []
    ensure_stage(state, Stage.PROCESSING, to="fail processing")
    reason = valid_reason(cmd.reason)
    return [VideoProcessingFailed(video_id=state.video_id, owner_id=state.owner_id, reason=reason)]


def _ensure_pipeline(state: State, actor: Actor, video_id: str, upload_id: str | None = None) -> None:
    """Only the pipeline reports; a processing report must be about the upload now in hand."""
    ensure_open(state, video_id)
    if actor != PIPELINE:
        raise NotAllowed("only the media pipeline reports processing")
    if upload_id is not None and state.upload_id is not None and upload_id != state.upload_id:
        raise Conflict("the report is about an upload that is not the video's current one")
