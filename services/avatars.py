"""Uploading a profile picture: made into its square sizes, stored under a fresh key, then set.

The picture is judged by its own bytes and made afresh by ffmpeg (``media.images``): nothing of the
upload itself is stored or served, so neither its metadata nor anything hostile in it survives. The
sizes go under a folder named by 128 random bits (``media.keys.avatar``): nobody finds a picture
without being handed its URL, and a new picture is a new URL, so no cache keeps showing an old one.
Only then does the profile name it (``SetAvatar``); if that is refused (the account was erased
meanwhile, say), the files go at once. The picture it replaces is discarded by the same command, and
the media cleanup removes its files.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import tempfile
from pathlib import Path

from commands import avatars
from commands.context import Outcome, Ports, Request
from commands.standing import ensure_allowed
from domain import accounts
from domain.moderation.rules import Capability
from media import keys
from media.images import ImageLimits, avatar_pictures
from media.storage import MediaStorage

log = logging.getLogger("strom.services.avatars")


@dataclasses.dataclass(frozen=True, slots=True)
class Uploaded:
    avatar_id: str
    position: int


@dataclasses.dataclass(frozen=True, slots=True)
class Avatars:
    ports: Ports
    storage: MediaStorage
    limits: ImageLimits = dataclasses.field(default_factory=ImageLimits)
    scratch: Path | None = None

    def upload(self, source: Path, request: Request) -> Uploaded:
        """``source`` holds the bytes as they came; ``media.images.ImageRefused`` says why they are
        not a picture we take."""
        ensure_allowed(self.ports, request.actor, Capability.UPLOAD)  # before any work: set checks again
        avatar_id = secrets.token_hex(16)
        folder = keys.avatar(request.actor.user_id, avatar_id)
        with tempfile.TemporaryDirectory(prefix="strom-avatar-", dir=self.scratch) as work:
            pictures = avatar_pictures(source, Path(work), self.limits)
            try:
                for picture in pictures:
                    self.storage.put_file(f"{folder}/{picture.name}", picture.path)
                outcome = self._set(request, avatar_id)
            except BaseException:
                self._drop_unless_set(request.actor.user_id, avatar_id)
                raise
        return Uploaded(avatar_id, outcome.position)

    def remove(self, request: Request) -> Outcome:
        cmd = accounts.RemoveAvatar(request.actor)
        return avatars.remove_avatar(cmd, ports=self.ports, request=request)

    def _set(self, request: Request, avatar_id: str) -> Outcome:
        cmd = accounts.SetAvatar(request.actor, avatar_id)
        return avatars.set_avatar(cmd, ports=self.ports, request=request)

    def _drop_unless_set(self, user_id: str, avatar_id: str) -> None:
        """After a failure: the files go unless the profile names them after all (an append that
        landed though its answer was lost). Unsure (the store away), they stay: a stray file is
        less harm than a profile whose picture is gone; erasure removes every one of them."""
        try:
            current = avatars.current_avatar_id(self.ports, user_id)
        except Exception:  # each store fails with its own errors
            log.warning("picture %s of %s: kept, its profile could not be read", avatar_id, user_id)
            return
        if current != avatar_id:
            self.storage.delete_prefix(keys.avatar(user_id, avatar_id))
