"""The process manager that deletes media: on ``VideoDeleted`` it removes the video's sources and
everything made from them from media storage (its caption tracks too); on ``CaptionTrackRemoved``,
the file of the track removed or replaced; on ``AvatarDiscarded``, the files of that profile
picture; on ``ErasureRequested``, every picture the person uploaded and the media of every video
they drafted.

It acts only on what the log records, so media goes only after its deletion is an event. Removing
what is already gone removes nothing, so a replay from any checkpoint, or from the start, does no
harm. To find a person's videos it keeps its own rows (``read_models/media_by_owner.py``): one per
video from its draft until its media is removed. A removal that fails (storage away for a while)
is retried with backoff, never skipped: the checkpoint does not pass the event until it is done.
The checkpoint is saved after each event it acts on, and past the events it skips at most once a
second (``projections.following.SavePace``; the subscription's marks while quiet settle it), so its lag
(``strom projections status``, ``/metrics``) reads zero within seconds of going idle.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from domain import videos
from domain.accounts.events import AvatarDiscarded, ErasureRequested
from eventstore.codec import EventCodec
from eventstore.envelope import EventFilter, RecordedEvent
from eventstore.port import EventStore, Subscription
from projections.following import SavePace
from projections.runner import TRANSIENT
from read_models import media_by_owner as owned
from read_models import projection_state as states
from read_models.port import ReadStore

NAME = "media_cleanup"
BUILD = "v1"
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 30.0
WATCHED = ("VideoDraftCreated", "VideoDeleted", "CaptionTrackRemoved", "AvatarDiscarded", "ErasureRequested")

log = logging.getLogger("strom.projections.media_cleanup")

#: Removes every object of a video from media storage; says how many there were.
Remove = Callable[[str], int]
#: Removes a person's uploaded profile picture (user id, picture id), or all of them (picture id
#: ``None``); says how many objects there were. Required: every erasure calls it.
RemoveAvatars = Callable[[str, str | None], int]


#: Removes one object by its key (a caption track's file a newer one replaced, or its removal left).
#: Required too: a cleanup without it would retry a caption's removal for ever.
RemoveObject = Callable[[str], int]


class Interrupted(Exception):
    """Stopped while a removal was being retried: the checkpoint stays before its event."""


class MediaCleanup:
    def __init__(
        self,
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        remove: Remove,
        remove_avatars: RemoveAvatars,
        remove_object: RemoveObject,
    ) -> None:
        self._events, self._codec, self._store, self._remove = events, codec, store, remove
        self._remove_avatars = remove_avatars
        self._remove_object = remove_object
        self._stopped = threading.Event()
        self._subscription: Subscription | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.follow, name=NAME, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._subscription is not None:
            self._subscription.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def alive(self) -> bool:
        """Whether its thread still runs: after ``stop`` gave up waiting, it may still be finishing."""
        return self._thread is not None and self._thread.is_alive()

    def follow(self) -> None:
        """Runs until stopped; a store that fails for a while is retried, backing off."""
        backoff = RETRY_FIRST_S
        while not self._stopped.is_set():
            try:
                self.run()
                return
            except Interrupted:
                return
            except TRANSIENT as error:
                log.warning("%s: %s; retrying in %.1f s", NAME, error, backoff)
            self._stopped.wait(backoff)
            backoff = min(backoff * 2, RETRY_MAX_S)

    def run(self, *, until: int | None = None) -> int:
        """Reacts to the events after the checkpoint; returns the position reached."""
        position = states.load(self._store, NAME, BUILD, version=1).position
        if until is not None and position >= until:
            return position
        pace = SavePace(position)
        subscription = self._events.subscribe(
            after=position, filter=EventFilter(types=WATCHED), checkpoints=True
        )
        self._subscription = subscription
        try:
            for item in subscription:
                if until is not None and item.position > until:
                    break
                if isinstance(item, RecordedEvent):
                    self._react(item)
                position = item.position
                if pace.due(
                    position, urgent=isinstance(item, RecordedEvent)
                ):  # the row removed, then the checkpoint past it
                    self._save(position)
                    pace.done(position)
                if self._stopped.is_set() or (until is not None and position >= until):
                    break
        finally:
            subscription.stop()
        self._save(position)
        return position

    def _react(self, record: RecordedEvent) -> None:
        match self._codec.decode(record).event:
            case videos.VideoDraftCreated(video_id=video_id, owner_id=owner_id):
                owned.drafted(self._store, owner_id, video_id, position=record.position)
            case videos.VideoDeleted(video_id=video_id, owner_id=owner_id):
                self._remove_media(owner_id, video_id, record.position)
            case videos.CaptionTrackRemoved(media_key=key):
                self._retrying(lambda: self._remove_object(key), f"caption file {key}")
            case AvatarDiscarded(user_id=user_id, avatar_id=avatar_id):
                self._retrying(lambda: self._remove_avatars(user_id, avatar_id), f"a picture of {user_id}")
            case ErasureRequested(user_id=owner_id):
                self._retrying(lambda: self._remove_avatars(owner_id, None), f"the pictures of {owner_id}")
                for video_id in list(owned.videos_of(self._store, owner_id)):
                    self._remove_media(owner_id, video_id, record.position)

    def _remove_media(self, owner_id: str, video_id: str, position: int) -> None:
        """The bytes first, then the row: a crash between the two only repeats a removal."""
        removed = self._retrying(lambda: self._remove(video_id), f"video {video_id}")
        owned.removed(self._store, owner_id, video_id, position=position)
        if removed:
            log.info("removed %d media objects of video %s", removed, video_id)

    def _retrying(self, remove: Callable[[], int], what: str) -> int:
        """Storage that is away is waited for: media of a deleted video, or a discarded or erased
        picture, is never left behind."""
        backoff = RETRY_FIRST_S
        while True:
            try:
                return remove()
            except Exception as error:  # each storage adapter fails with its own errors
                if self._stopped.is_set():
                    raise Interrupted from error
                log.warning("%s: could not remove %s (%s); retrying in %.1f s", NAME, what, error, backoff)
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, RETRY_MAX_S)

    def _save(self, position: int) -> None:
        state = states.ProjectionState(NAME, BUILD, version=1, position=position, status=states.RUNNING)
        states.save(self._store, state)
