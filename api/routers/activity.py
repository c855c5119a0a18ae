"""Watch signals from the player: views, watch time, completions, rewatches, quick skips.

A signal counts only for a video the viewer may see (the access policy's answer) and only if it could
have happened (``domain.watching.implausible``). The rest of the batch is recorded; refused signals
are named in the answer, so the client drops them instead of resending them forever.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AppStateDep, CommandRequest, PortsDep
from api.problems import Problem, problems
from api.reading import read
from commands.activity import record_watch_batch
from domain.actors import Actor
from domain.watching import (
    MAX_BATCH,
    QuickSkip,
    RecordWatchBatch,
    ViewStart,
    WatchProgress,
    WatchSignal,
    decide_record_watch_batch,
    implausible,
)
from read_models import video_details
from services.access import AccessPolicy

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


class RefusedSignal(BaseModel):
    client_event_id: str
    reason: str = Field(description="Why it was not recorded; resending it will not change that")


class ActivityRecorded(BaseModel):
    position: int = Field(description="Global position of the last event; pass as min_position to read it")
    recorded: int = Field(description="Signals stored now; resent ones are not stored twice")
    refused: list[RefusedSignal] = Field(
        description="Signals about videos the caller may not see (or that do not exist), or that could "
        "not have happened (more watch time than one play)"
    )


def _signal(s: ViewStartIn | WatchProgressIn | QuickSkipIn) -> WatchSignal:
    if isinstance(s, ViewStartIn):
        return ViewStart(s.client_event_id, s.video_id)
    if isinstance(s, WatchProgressIn):
        return WatchProgress(
            s.client_event_id, s.video_id, s.watched_ms, s.position_ms, s.completed, s.rewatch
        )
    return QuickSkip(s.client_event_id, s.video_id, s.watched_ms)


@router.post(
    "",
    status_code=202,
    summary="Record a batch of watch signals",
    responses=problems(s401="No valid bearer token", s422="A malformed signal (named by its index)"),
)
def record_activity(
    body: WatchBatch, ports: PortsDep, request: CommandRequest, state: AppStateDep
) -> ActivityRecorded:
    """Batched by the client; a lost response can be resent as it is, nothing is counted twice."""
    signals = tuple(_signal(s) for s in body.signals)
    decide_record_watch_batch(RecordWatchBatch(actor=request.actor, signals=signals))  # all well-formed
    if state.read_store is None:
        raise Problem(503, "this process serves no read models", headers={"Retry-After": "5"})
    policy = AccessPolicy(state.read_store)
    refused = read(video_details.MODEL, lambda: _refused(policy, request.actor, signals))
    kept = tuple(s for s in signals if s.client_event_id not in refused)
    position, recorded = 0, 0
    if kept:
        outcome = record_watch_batch(RecordWatchBatch(request.actor, kept), ports=ports, request=request)
        position, recorded = outcome.position, outcome.appended
    return ActivityRecorded(
        position=position,
        recorded=recorded,
        refused=[RefusedSignal(client_event_id=c, reason=r) for c, r in refused.items()],
    )


def _refused(policy: AccessPolicy, viewer: Actor, signals: tuple[WatchSignal, ...]) -> dict[str, str]:
    """Signals on videos the viewer may not see, then the implausible ones among the rest."""
    cards = {v: policy.video(v, viewer) for v in dict.fromkeys(s.video_id for s in signals)}
    durations = {v: card.duration_ms for v, card in cards.items() if card is not None}
    refused = {s.client_event_id: "video not found" for s in signals if s.video_id not in durations}
    return refused | implausible([s for s in signals if s.video_id in durations], durations)
