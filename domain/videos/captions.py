"""Deciders for a video's caption tracks (subtitles, WebVTT): the owner adds one per language,
replaces it, or removes it.

The file itself is checked, re-written and stored before the command comes (``services/captions``,
``media/webvtt``); the decider rules on who may, on what, and in which language, and names the
file a replaced or removed track leaves behind, for the media cleanup to delete.
"""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import Conflict, InvalidCommand, NotFound
from domain.videos.commands import AddCaptionTrack, RemoveCaptionTrack
from domain.videos.events import CaptionTrackAdded, CaptionTrackRemoved, Event
from domain.videos.rules import MAX_CAPTION_TRACKS, valid_caption_key, valid_language_tag
from domain.videos.state import CaptionTrack, Stage, State, ensure_owner, ensure_stage


def decide_add_caption_track(state: State, cmd: AddCaptionTrack) -> list[Event]:
    """Only the owner, once the video is processed (the cues were checked against its length). A
    track in a language the video has replaces it; the same file (a retried request) again records
    nothing."""
    lang = ensure_may_add_caption_track(state, cmd.actor, cmd.video_id, cmd.lang)
    key = valid_caption_key(cmd.media_key, state.video_id)
    if isinstance(cmd.cues, bool) or not isinstance(cmd.cues, int) or cmd.cues < 1:
        raise InvalidCommand("a caption track has at least one cue")
    current = track_in(state, lang)
    if current is not None and current.media_key == key:
        return []
    events: list[Event] = []
    if current is not None:
        events.append(_removed(state, current))
    events.append(
        CaptionTrackAdded(
            video_id=state.video_id, owner_id=state.owner_id, lang=lang, media_key=key, cues=cmd.cues
        )
    )
    return events


def decide_remove_caption_track(state: State, cmd: RemoveCaptionTrack) -> list[Event]:
    ensure_owner(state, cmd.actor, cmd.video_id)
    current = track_in(state, valid_language_tag(cmd.lang))
    if current is None:
        raise NotFound("the video has no caption track in that language")
    return [_removed(state, current)]


def ensure_may_add_caption_track(state: State, actor: Actor, video_id: str, lang: str) -> str:
    """What adding checks of the video, its owner and the language (returned in canonical case):
    asked before the file is stored too, so a refused request leaves nothing in media storage."""
    ensure_owner(state, actor, video_id)
    ensure_stage(state, Stage.PROCESSED, to="add captions")
    tag = valid_language_tag(lang)
    if track_in(state, tag) is None and len(state.caption_tracks) >= MAX_CAPTION_TRACKS:
        raise Conflict(f"a video has at most {MAX_CAPTION_TRACKS} caption tracks; remove one first")
    return tag


def track_in(state: State, lang: str) -> CaptionTrack | None:
    return next((track for track in state.caption_tracks if track.lang == lang), None)


def _removed(state: State, track: CaptionTrack) -> CaptionTrackRemoved:
    return CaptionTrackRemoved(
        video_id=state.video_id, owner_id=state.owner_id, lang=track.lang, media_key=track.media_key
    )
