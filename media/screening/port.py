"""The ports screening looks at a video through, so its logic can be tested with fakes; the real
adapters are ``FrameSampler`` (frames.py), ``BlocklistFile`` (blocklist.py) and
``NudeNetClassifier`` (nsfw.py), each tested on its own."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from PIL import Image

from media.screening.hashing import Entry


class Sampler(Protocol):
    def sample(self, path: Path, count: int) -> list[Image.Image]:
        """``count`` frames spread over the video (fewer if it has fewer); ``NotPlayable`` if it is
        no video."""
        ...


class Blocklist(Protocol):
    def entries(self) -> list[Entry]: ...

    def version(self) -> str:
        """Changes whenever the hashes do."""
        ...


class Classifier(Protocol):
    @property
    def name(self) -> str:
        """The model and its version: a new one may score differently."""
        ...

    def score(self, frames: Sequence[Image.Image]) -> list[float]:
        """Each frame's nudity score, from 0 to 1."""
        ...
