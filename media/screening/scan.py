"""Screening one video file: sample its frames, match them against the blocklist, score them.

The result is ``Findings`` (``domain.screening``): what was found, not what it means. The policy
judges it on the video's stream, so a policy change needs no new look at the frames unless what
they are compared with (the blocklist, the classifier, these settings) changed; ``basis`` names
all of that, and goes into the verdict's policy version.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from domain.screening import Findings
from media.screening.hashing import frame_hashes, matches
from media.screening.port import Blocklist, Classifier, Sampler


@dataclasses.dataclass(frozen=True, slots=True)
class ScanSettings:
    """``frames`` sampled a video; frames match an entry within ``max_distance`` bits of 64; a
    video matches when ``min_frames`` of its frames do."""

    frames: int = 8
    max_distance: int = 10
    min_frames: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.frames <= 64 or not 0 <= self.max_distance <= 32 or self.min_frames < 1:
            raise ValueError("frames must be 1 to 64, max_distance 0 to 32, min_frames at least 1")


@dataclasses.dataclass(frozen=True, slots=True)
class Scanner:
    sampler: Sampler
    blocklist: Blocklist
    classifier: Classifier
    settings: ScanSettings = dataclasses.field(default_factory=ScanSettings)

    def basis(self) -> str:
        """What the findings rest on besides the file: a change here may change them."""
        s = self.settings
        return f"{self.blocklist.version()}:{self.classifier.name}:{s.frames}:{s.max_distance}:{s.min_frames}"

    def scan(self, path: Path) -> Findings:
        frames = self.sampler.sample(path, self.settings.frames)
        if not frames:
            return Findings(failed="the video has no frame to look at")
        hashes = frame_hashes(frames)
        matched = matches(
            hashes,
            self.blocklist.entries(),
            max_distance=self.settings.max_distance,
            min_frames=self.settings.min_frames,
        )
        scores = self.classifier.score(frames)
        return Findings(hash_matches=tuple(matched), nsfw_score=round(max(scores, default=0.0), 4))
