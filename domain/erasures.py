"""The record of an erasure (stream ``erasure-<erasure_id>``): which steps of the cascade are done.

An erasure starts with ``ErasureRequested`` on the account's stream, which the caller follows by
deleting the person's data key. The erasure cascade (a process manager) then works through
``STEPS`` in order, recording each here once it is done, and closes the record with
``ErasureCompleted``. What the steps remove:

- ``personal_data``: the data key is gone from every file of the key store, so every sealed field
  (email, handle, name, bio, avatar, captions, hashtags, comments) reads as erased, everywhere.
- ``videos``: every video the person made is deleted, at whatever stage, with the erasure as the
  reason; the feeds, trending and fresh lists, counters and profile lists follow the deletions.
- ``claims``: the handle and the email address are released, so anyone may register them again.
- ``media``: every media file of their videos (sources, renditions, posters) is removed.
- ``views``: every read model has applied all of the above, so no route shows any of it.

The record is keyed by the erasure's unguessable id, the person's receipt, and names nobody: what it
shows is which steps are done and when, not whose erasure it is. Steps are recorded once; recording
a step again, or the end again, records nothing, so the cascade may repeat itself after a crash.
"""

from __future__ import annotations

import dataclasses
import enum

from domain.actors import ERASER, Actor
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.events import DomainEvent, event


class Step(enum.StrEnum):
    PERSONAL_DATA = "personal_data"
    VIDEOS = "videos"
    CLAIMS = "claims"
    MEDIA = "media"
    VIEWS = "views"


#: The steps in the order the cascade takes them.
STEPS: tuple[Step, ...] = tuple(Step)

#: What each step means, in the words the person is shown.
DESCRIPTIONS: dict[Step, str] = {
    Step.PERSONAL_DATA: "Your data key is destroyed: your email, handle, name, bio, avatar and what you "
    "wrote can no longer be read",
    Step.VIDEOS: "Your videos are deleted, with their captions and hashtags",
    Step.CLAIMS: "Your handle and email address are released",
    Step.MEDIA: "The media files of your videos are removed",
    Step.VIEWS: "No page of the service shows any of it any more",
}


def record_id(erasure_id: str | None, event_id: str) -> str:
    """The id of an erasure's record: its own, or, for an erasure recorded before erasures had one,
    the id of its ``ErasureRequested`` event."""
    return erasure_id or event_id


# -- events ----------------------------------------------------------------------------------------


@event("ErasureStepCompleted")
@dataclasses.dataclass(frozen=True, slots=True)
class ErasureStepCompleted(DomainEvent):
    erasure_id: str
    step: str  # a Step


@event("ErasureCompleted")
@dataclasses.dataclass(frozen=True, slots=True)
class ErasureCompleted(DomainEvent):
    erasure_id: str


Event = ErasureStepCompleted | ErasureCompleted

# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class CompleteStep:
    actor: Actor
    erasure_id: str
    step: Step


@dataclasses.dataclass(frozen=True, slots=True)
class CompleteErasure:
    actor: Actor
    erasure_id: str


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    done: frozenset[Step] = frozenset()
    completed: bool = False


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case ErasureStepCompleted(step=step):
            return dataclasses.replace(state, done=state.done | {Step(step)})
        case ErasureCompleted():
            return dataclasses.replace(state, completed=True)


# -- deciders --------------------------------------------------------------------------------------


def decide_complete_step(state: State, cmd: CompleteStep) -> list[Event]:
    """Steps are taken in order: one is recorded only once those before it are."""
    erasure_id = _checked(cmd.actor, cmd.erasure_id)
    step = Step(cmd.step)
    if step in state.done:
        return []
    missing = [s.value for s in STEPS[: STEPS.index(step)] if s not in state.done]
    if missing:
        raise Conflict(f"step {step.value} comes after {', '.join(missing)}")
    return [ErasureStepCompleted(erasure_id=erasure_id, step=step.value)]


def decide_complete_erasure(state: State, cmd: CompleteErasure) -> list[Event]:
    """The record closes once every step is done, and only once."""
    erasure_id = _checked(cmd.actor, cmd.erasure_id)
    if state.completed:
        return []
    missing = [s.value for s in STEPS if s not in state.done]
    if missing:
        raise Conflict(f"the erasure still has to do {', '.join(missing)}")
    return [ErasureCompleted(erasure_id=erasure_id)]


def _checked(actor: Actor, erasure_id: str) -> str:
    if actor != ERASER:
        raise NotAllowed("only the erasure cascade records an erasure's steps")
    if not isinstance(erasure_id, str) or not erasure_id.strip():
        raise InvalidCommand("erasure_id is required")
    return erasure_id
