"""Adding a caption track: the owner's WebVTT file is checked against the video and re-written
(``media.webvtt``), its text held to the watched words as a video's caption is, stored below the
video's folder under a key of its own, and then recorded (``commands.captions``). What is served is
always our own re-written copy.

Every upload gets a new key (the same again for a retry with the same Idempotency-Key), never one
derived from the content: the media cleanup deletes a replaced track's file some time after the
event, and must never find that the key names the current track's file again.

The checks the command makes are made first too, so a refused request stores nothing; should the
command still be refused (the video deleted meanwhile), the file it stored goes again unless a track
already uses it.
"""

from __future__ import annotations

import dataclasses

from commands import captions as handlers
from commands import streams
from commands.aggregates import VIDEO
from commands.context import Outcome, Ports, Request
from commands.handling import load
from domain import videos
from domain.errors import DomainError, InvalidCommand
from domain.screening import ensure_free_of_watched_words
from media import keys, webvtt
from media.storage import MediaStorage


@dataclasses.dataclass(frozen=True, slots=True)
class Added:
    lang: str  # in canonical case
    media_key: str
    cues: int
    outcome: Outcome


@dataclasses.dataclass(frozen=True, slots=True)
class Captions:
    ports: Ports
    storage: MediaStorage
    limits: webvtt.Limits = webvtt.LIMITS

    def add(self, request: Request, video_id: str, lang: str, data: bytes) -> Added:
        """``InvalidCommand`` (422) when the file is not captions for this video, saying why."""
        actor = request.actor
        lang, duration_ms = handlers.caption_room(self.ports, actor, video_id, lang)
        try:
            cues = webvtt.parse(data, duration_ms=duration_ms, limits=self.limits)
        except webvtt.InvalidCaptions as refused:
            raise InvalidCommand(str(refused)) from None
        words = self.ports.screening.current().words
        ensure_free_of_watched_words("\n".join(map(webvtt.plain, cues)), words, field="the captions")
        cleaned = webvtt.serialise(cues)
        key = keys.caption(video_id, lang, request.new_id(f"captions-{video_id}-{lang}"))
        self.storage.put_bytes(key, cleaned)
        cmd = videos.AddCaptionTrack(actor, video_id, lang, key, len(cues))
        try:
            outcome = handlers.add_caption_track(cmd, ports=self.ports, request=request)
        except DomainError:
            self._forget_unless_used(video_id, key)
            raise
        return Added(lang, key, len(cues), outcome)

    def _forget_unless_used(self, video_id: str, key: str) -> None:
        state = load(self.ports, streams.video(video_id), VIDEO).state
        if all(track.media_key != key for track in state.caption_tracks):
            self.storage.delete_prefix(key)
