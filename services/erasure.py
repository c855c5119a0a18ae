"""The commands the erasure cascade gives (``projections/erasure_cascade.py``), as the erasure
itself (``ERASER``): each through the same handler any other caller uses, so every rule of the
domain holds, and each records nothing when repeated.
"""

from __future__ import annotations

from commands import accounts, erasures, videos
from commands.context import Ports, Request
from commands.handling import store_errors
from commands.media_keeping import owner_erased
from domain import erasures as records
from domain import videos as video_domain
from domain.actors import ERASER
from domain.errors import NotFound


class ErasureCommands:
    def __init__(self, ports: Ports) -> None:
        self._ports = ports

    def record(self, erasure_id: str) -> tuple[records.State, int]:
        return erasures.record_of(erasure_id, ports=self._ports)

    def complete_step(self, erasure_id: str, step: records.Step) -> int:
        cmd = records.CompleteStep(ERASER, erasure_id, step)
        return erasures.complete_step(cmd, ports=self._ports, request=self._request()).position

    def complete(self, erasure_id: str) -> None:
        cmd = records.CompleteErasure(ERASER, erasure_id)
        erasures.complete_erasure(cmd, ports=self._ports, request=self._request())

    def erase_key(self, user_id: str) -> None:
        """Asked even when the key looks gone: erasing again also purges what a crash left behind."""
        with store_errors():
            self._ports.keys.erase(user_id)

    def owner_erased(self, user_id: str) -> bool:
        return owner_erased(self._ports, user_id)

    def delete_video(self, video_id: str) -> int:
        """A video whose stream is gone (never written past its draft row) has nothing to delete."""
        cmd = video_domain.DeleteVideo(ERASER, video_id, video_domain.DeletionReason.ERASURE)
        try:
            return videos.delete_video(cmd, ports=self._ports, request=self._request()).position
        except NotFound:
            return 0

    def claims_on_record(self, user_id: str) -> list[str]:
        registered = accounts.as_registered(user_id, ports=self._ports)
        return accounts.claims_held(registered, ports=self._ports)

    def release_claim(self, stream: str, user_id: str) -> int:
        return accounts.release_claim(stream, user_id, ports=self._ports, request=self._request()).position

    def _request(self) -> Request:
        return Request(ERASER)
