"""A video's cover: the owner picks the poster frame, the media pipeline reports the picture made.

Choosing changes what everyone sees of the video, so an owner who may not upload now (a restriction
or suspension) may not choose either. The pipeline's reports come with ``Request(PIPELINE)``; a
repeated report records nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from commands import streams
from commands.aggregates import VIDEO
from commands.context import Outcome, Ports, Request
from commands.handling import execute
from commands.standing import ensure_allowed
from domain import videos
from domain.moderation.rules import Capability

C = TypeVar("C", videos.ChooseCover, videos.CompleteCover, videos.FailCover)


def choose_cover(cmd: videos.ChooseCover, *, ports: Ports, request: Request) -> Outcome:
    ensure_allowed(ports, cmd.actor, Capability.UPLOAD)
    return _decide(ports, request, cmd, videos.decide_choose_cover)


def complete_cover(cmd: videos.CompleteCover, *, ports: Ports, request: Request) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_complete_cover)


def fail_cover(cmd: videos.FailCover, *, ports: Ports, request: Request) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_fail_cover)


def _decide(
    ports: Ports, request: Request, cmd: C, decider: Callable[[videos.State, C], Sequence[videos.Event]]
) -> Outcome:
    return execute(ports, request, streams.video(cmd.video_id), VIDEO, lambda state: decider(state, cmd))
