"""The erasure cascade: the process manager that, on ``ErasureRequested``, removes, releases and
waits for everything that identifies the person, recording each step on the erasure's record
(``erasure-<erasure_id>``, see ``domain.erasures`` for what the steps are).

What it decides, as a demanding privacy reading of DESIGN.md §12 asks:

- Removed: their videos (deleted through the video command path, the erasure as the reason, at
  whatever stage, listed or not), and with them captions, hashtags, feed entries, trending and
  fresh list rows, counters, and every media file. Their profile, comments, follows and blocks
  (both ways), the likes they gave (who liked what, in video details and in trending's memory of
  recent likes; the totals and scores stay), their record as a reporter and their name on the
  reports they filed (the reports stand) and model state go from the read models as each projector
  applies ``ErasureRequested``. A like, block or report of theirs that reached the log after the
  erasure (a request already past the session check) is not recorded.
- Released: their handle and email claims, so anyone may register either again.
- Pseudonymised: what must stay for others to stay true, and is kept as anonymous totals only:
  likes and views they gave count in totals, and their user id stays in the log's history, where
  every personal field is sealed with the key that is now gone.

Steps are taken in order and each is recorded once it is done, so a restart, a replay from any
checkpoint or from the start, repeats only what was not recorded; every command it gives records
nothing the second time (deleting a deleted video, releasing a released claim, erasing an erased
key). Two steps wait on other processes: ``media`` until the media cleanup has removed the person's
media (its rows are gone), ``views`` until every projector has passed what the cascade appended. It
waits patiently, checking again and again: an erasure never completes on a guess. While it waits it
takes up no other erasure (they wait in the log, in order).

To find a person's videos it keeps its own rows (``read_models/videos_by_owner.py``): one per video
from its draft until its deletion. A draft that lands after its owner's erasure (a request already
past the session check when the erasure was recorded) is deleted as soon as it is seen, so no video
outlives its owner's erasure, whenever it was made. An erasure recorded before erasures named their
claims gets the claims the cascade can still tell (``ErasureCommands.claims_on_record``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from domain import erasures, videos
from domain.accounts.events import ErasureRequested
from domain.erasures import Step
from domain.errors import DomainError
from eventstore.codec import EventCodec
from eventstore.envelope import EventFilter, RecordedEvent
from eventstore.port import EventStore
from projections.following import RETRY_FIRST_S, RETRY_MAX_S, Follower
from projections.media_cleanup import BUILD as MEDIA_CLEANUP_BUILD
from projections.media_cleanup import NAME as MEDIA_CLEANUP
from read_models import media_by_owner, projection_state
from read_models import videos_by_owner as owned
from read_models.live import Build, live_build
from read_models.port import ReadStore

NAME = "erasure_cascade"
BUILD = "v1"
WATCHED = (videos.VideoDraftCreated.event_type, videos.VideoDeleted.event_type, ErasureRequested.event_type)
WAIT_FIRST_S, WAIT_MAX_S = 0.05, 2.0

T = TypeVar("T")

log = logging.getLogger("strom.projections.erasure_cascade")


class ErasureCommands(Protocol):
    """What the cascade asks of the write side (``services/erasure.py`` in production)."""

    def record(self, erasure_id: str) -> tuple[erasures.State, int]:
        """The erasure's record as its stream says now, and the log position of its last event (0
        before the first): every effect of the steps it holds lies at or before that position."""

    def complete_step(self, erasure_id: str, step: Step) -> int:
        """Records the step done; returns the log position the record is at."""

    def complete(self, erasure_id: str) -> None: ...

    def erase_key(self, user_id: str) -> None:
        """Deletes the person's data key from every file, if anything of it is left."""

    def owner_erased(self, user_id: str) -> bool:
        """The person's account is erased, as its stream says now."""

    def delete_video(self, video_id: str) -> int:
        """Deletes the video for the erasure; returns the log position after it."""

    def claims_on_record(self, user_id: str) -> list[str]:
        """For an erasure that named no claims: the claim streams that can still be told."""

    def release_claim(self, stream: str, user_id: str) -> int:
        """Ends the person's claim on the stream; returns the log position after it."""


#: The lowest checkpoint of the projectors whose rows routes read: ``views`` waits on it.
ViewsReached = Callable[[], int]


class ErasureCascade(Follower):
    name = NAME
    watched = EventFilter(types=WATCHED)

    def __init__(
        self,
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        commands: ErasureCommands,
        views_reached: ViewsReached,
    ) -> None:
        super().__init__(events=events, store=store)
        self._codec, self._commands, self._views_reached = codec, commands, views_reached

    def react(self, record: RecordedEvent) -> bool:
        match self._codec.decode(record).event:
            case videos.VideoDraftCreated(video_id=video_id, owner_id=owner_id):
                owned.drafted(self._store, owner_id, video_id, position=record.position)
                return self._late_draft(owner_id, video_id)
            case videos.VideoDeleted(video_id=video_id, owner_id=owner_id):
                owned.deleted(self._store, owner_id, video_id, position=record.position)
            case ErasureRequested() as requested:
                self._erase(requested, record)
                return True
        return False

    def _late_draft(self, owner_id: str, video_id: str) -> bool:
        """Deletes a draft whose owner is erased; on a replay, one deleted already records nothing."""
        if not self._retrying(lambda: self._commands.owner_erased(owner_id)):
            return False
        self._position(self._commands.delete_video, video_id)
        return True

    def _erase(self, event: ErasureRequested, record: RecordedEvent) -> None:
        erasure_id = erasures.record_id(event.erasure_id, record.event_id)
        state, recorded_at = self._retrying(lambda: self._commands.record(erasure_id))
        if state.completed:
            return
        reached = max(record.position, recorded_at)
        for step in erasures.STEPS:
            if step not in state.done:
                reached = max(reached, self._take(step, event, reached))
                reached = max(reached, self._position(self._commands.complete_step, erasure_id, step))
                log.info("erasure %s: %s done", erasure_id, step.value)
        self._retrying(lambda: self._commands.complete(erasure_id))

    def _take(self, step: Step, event: ErasureRequested, reached: int) -> int:
        """Does the step; returns the log position its commands reached (``reached`` if none)."""
        user_id = event.user_id
        match step:
            case Step.PERSONAL_DATA:
                self._retrying(lambda: self._commands.erase_key(user_id))
            case Step.VIDEOS:
                for video_id in list(owned.videos_of(self._store, user_id)):
                    reached = max(reached, self._position(self._commands.delete_video, video_id))
            case Step.CLAIMS:
                claims = event.claims or self._retrying(lambda: self._commands.claims_on_record(user_id))
                reached = max(reached, self._release(claims, user_id))
            case Step.MEDIA:
                self._await(lambda: self._media_gone(user_id, reached), f"the media of {user_id}")
            case Step.VIEWS:
                self._await(lambda: self._views_reached() >= reached, f"the projectors to pass {reached}")
        return reached

    def _release(self, claims: Sequence[str], user_id: str) -> int:
        reached = 0
        for stream in claims:
            reached = max(reached, self._position(self._commands.release_claim, stream, user_id))
        return reached

    def _media_gone(self, user_id: str, position: int) -> bool:
        """The media cleanup has passed every deletion so far and holds no media of the person."""
        cleaned = projection_state.load(self._store, MEDIA_CLEANUP, MEDIA_CLEANUP_BUILD, version=1).position
        left = next(iter(media_by_owner.videos_of(self._store, user_id)), None)
        return cleaned >= position and left is None

    def _await(self, done: Callable[[], bool], what: str) -> None:
        """Checks again and again, ever less often, until ``done``; stopping interrupts it."""
        wait, waited = WAIT_FIRST_S, 0.0
        while not self._retrying(done):
            if waited >= 60.0:
                log.warning("%s: still waiting for %s", NAME, what)
                waited = 0.0
            self.pause(wait)
            waited += wait
            wait = min(wait * 2, WAIT_MAX_S)

    def _position(self, command: Callable[..., int], *args: object) -> int:
        """Gives a command that answers a log position, retrying it as ``_retrying`` does."""
        return self._retrying(functools.partial(command, *args))

    def _retrying(self, job: Callable[[], T]) -> T:
        """A store or storage away for a while is waited for: an erasure is never skipped. A command
        the domain refuses is a bug, not an outage: it stops the cascade, loudly."""
        backoff = RETRY_FIRST_S
        while True:
            try:
                return job()
            except DomainError:
                log.exception("%s: a command of the cascade was refused; the cascade stops", NAME)
                raise
            except Exception as error:  # each adapter fails with its own errors
                log.warning("%s: %s; retrying in %.1f s", NAME, error, backoff)
                self.pause(backoff)
                backoff = min(backoff * 2, RETRY_MAX_S)


def views_reached(store: ReadStore, projectors: Sequence[tuple[str, int]]) -> int:
    """The lowest checkpoint, over ``projectors`` (name, version), of the build each serves."""
    return min(
        projection_state.checkpoint_of(store, name, (live_build(store, name) or Build(version)).label)
        for name, version in projectors
    )
