"""Watch signals from the player: views, watch time, completions, rewatches, quick skips."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CommandRequest, PortsDep
from commands.activity import record_watch_batch
from domain.watching import MAX_BATCH, QuickSkip, RecordWatchBatch, ViewStart, WatchProgress, WatchSignal

router = APIRouter(prefix="/v1/activity", tags=["activity"])

ClientId = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Chosen by the client; resends dedupe")
]
Millis = Annotated[int, Field(ge=0, strict=True)]


class _Signal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_event_id: ClientId
    video_id: Annotated[str, Field(min_length=1, max_length=64)]


class ViewStartIn(_Signal):
    kind: Literal["view_start"]


class WatchProgressIn(_Signal):
    kind: Literal["progress"]
    watched_ms: Millis
    position_ms: Millis
    completed: Annotated[bool, Field(strict=True)] = False
    rewatch: Annotated[bool, Field(strict=True)] = False


class QuickSkipIn(_Signal):
    kind: Literal["skip"]
    watched_ms: Millis


SignalIn = Annotated[ViewStartIn | WatchProgressIn | QuickSkipIn, Field(discriminator="kind")]


class WatchBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signals: Annotated[list[SignalIn], Field(min_length=1, max_length=MAX_BATCH)]


class ActivityRecorded(BaseModel):
    position: int = Field(description="Global position of the last event; pass as min_position to read it")
    recorded: int = Field(description="Signals stored now; resent ones are not stored twice")


def _signal(s: ViewStartIn | WatchProgressIn | QuickSkipIn) -> WatchSignal:
    if isinstance(s, ViewStartIn):
        return ViewStart(s.client_event_id, s.video_id)
    if isinstance(s, WatchProgressIn):
        return WatchProgress(
            s.client_event_id, s.video_id, s.watched_ms, s.position_ms, s.completed, s.rewatch
        )
    return QuickSkip(s.client_event_id, s.video_id, s.watched_ms)


@router.post("", status_code=202, summary="Record a batch of watch signals")
def record_activity(body: WatchBatch, ports: PortsDep, request: CommandRequest) -> ActivityRecorded:
    """Batched by the client; a lost response can be resent as it is, nothing is counted twice."""
    cmd = RecordWatchBatch(actor=request.actor, signals=tuple(_signal(s) for s in body.signals))
    outcome = record_watch_batch(cmd, ports=ports, request=request)
    return ActivityRecorded(position=outcome.position, recorded=outcome.appended)
