"""A video's caption tracks (``domain.videos.captions``): one per language, added, replaced and
removed by the owner. The file is checked and stored by ``services/captions.py`` first."""

from __future__ import annotations

from commands import streams
from commands.aggregates import VIDEO
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load
from commands.standing import ensure_allowed
from domain import videos
from domain.actors import Actor
from domain.moderation.rules import Capability


def caption_room(ports: Ports, actor: Actor, video_id: str, lang: str) -> tuple[str, int]:
    """Before a file is stored: the checks adding makes of the owner (who may not while restricted
    from uploading), the video and the language, from their streams; returns the language in
    canonical case and the video's length."""
    ensure_allowed(ports, actor, Capability.UPLOAD)
    state = load(ports, streams.video(video_id), VIDEO).state
    lang = videos.ensure_may_add_caption_track(state, actor, video_id, lang)
    return lang, state.duration_ms or 0


def add_caption_track(cmd: videos.AddCaptionTrack, *, ports: Ports, request: Request) -> Outcome:
    """As adding any content: refused while the owner is restricted from uploading."""
    ensure_allowed(ports, cmd.actor, Capability.UPLOAD)
    return execute(
        ports,
        request,
        streams.video(cmd.video_id),
        VIDEO,
        lambda state: videos.decide_add_caption_track(state, cmd),
    )


def remove_caption_track(cmd: videos.RemoveCaptionTrack, *, ports: Ports, request: Request) -> Outcome:
    return execute(
        ports,
        request,
        streams.video(cmd.video_id),
        VIDEO,
        lambda state: videos.decide_remove_caption_track(state, cmd),
    )
