"""Deciders for the cover: the owner picks the frame of their processed video that becomes its
poster, and the media pipeline (``PIPELINE``) reports the picture made from it.

A choice names a time within the video and gets a fresh ``cover_id``, so the picture made from it
has a media key of its own: a poster is never overwritten, and a cached one never shows the wrong
frame. Choosing the frame already chosen (or already made) records nothing. The picture is made
from the video's own renditions, never from the upload, by a job that runs at least once: a
repeated report records nothing, and one about a choice the owner has since replaced is refused,
so a slow job cannot put back an older frame.
"""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.videos.commands import ChooseCover, CompleteCover, FailCover
from domain.videos.events import CoverChosen, CoverFailed, CoverMade, Event
from domain.videos.rules import PIPELINE, require_id, valid_path, valid_reason
from domain.videos.state import Cover, CoverStatus, Stage, State, ensure_open, ensure_owner, ensure_stage


def decide_choose_cover(state: State, cmd: ChooseCover) -> list[Event]:
    """Only the owner, only once the video is processed, and only a time within it."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    ensure_stage(state, Stage.PROCESSED, to="choose a cover")
    at_ms = _valid_at(cmd.at_ms, state.duration_ms)
    cover = state.cover
    if cover is not None and cover.at_ms == at_ms and cover.status is not CoverStatus.FAILED:
        return []
    assert state.upload_id is not None  # a processed video has its upload
    return [
        CoverChosen(
            video_id=state.video_id,
            owner_id=state.owner_id,
            upload_id=state.upload_id,
            cover_id=require_id(cmd.cover_id, "cover_id"),
            at_ms=at_ms,
        )
    ]


def decide_complete_cover(state: State, cmd: CompleteCover) -> list[Event]:
    cover = _reported(state, cmd.actor, cmd.video_id, cmd.cover_id)
    if cover.status is CoverStatus.MADE:
        return []
    poster = valid_path(cmd.poster, "poster")
    if not poster.startswith(f"videos/{state.video_id}/"):
        raise InvalidCommand("a cover lies in the video's own folder of media storage")
    made = CoverMade(video_id=state.video_id, owner_id=state.owner_id, cover_id=cover.cover_id, poster=poster)
    return [made]


def decide_fail_cover(state: State, cmd: FailCover) -> list[Event]:
    cover = _reported(state, cmd.actor, cmd.video_id, cmd.cover_id)
    if cover.status is not CoverStatus.PENDING:
        return []
    reason = valid_reason(cmd.reason)
    return [
        CoverFailed(video_id=state.video_id, owner_id=state.owner_id, cover_id=cover.cover_id, reason=reason)
    ]


def pending_cover(state: State, cover_id: str) -> Cover | None:
    """The cover, if it is the video's current choice and still to be made: what the process
    manager and the job ask before any work, so a replay or a redelivered job makes nothing twice."""
    cover = state.cover
    if not state.exists or state.deleted or cover is None or cover.cover_id != cover_id:
        return None
    return cover if cover.status is CoverStatus.PENDING else None


def _reported(state: State, actor: Actor, video_id: str, cover_id: str) -> Cover:
    ensure_open(state, video_id)
    if actor != PIPELINE:
        raise NotAllowed("only the media pipeline reports a cover")
    cover = state.cover
    if cover is None or cover.cover_id != cover_id:
        raise Conflict("the report is about a cover that is not the video's current choice")
    return cover


def _valid_at(at_ms: int, duration_ms: int | None) -> int:
    if isinstance(at_ms, bool) or not isinstance(at_ms, int) or at_ms < 0:
        raise InvalidCommand("at_ms must be a whole number of milliseconds from 0")
    if duration_ms is not None and at_ms >= duration_ms:
        raise InvalidCommand(f"at_ms must be within the video: below {duration_ms} ms")
    return at_ms
