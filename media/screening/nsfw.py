"""The nudity classifier: NudeNet's detector, whose weights (``320n.onnx``) ship inside its package.

Nothing is downloaded, ever: the model file is read from the installed package, and ONNX Runtime
runs it on the CPU. The detector finds body parts and says whether each is covered; a frame's
score is its most confident detection of an exposed part (0 when there is none), and a video's is
its highest frame's, since one explicit frame is enough to matter.

Loading takes a fraction of a second and the session is safe to share, so one classifier is made
per process, on first use, and reused by every job.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np
from PIL import Image

#: The detector's classes that count as nudity; covered parts, faces and feet do not.
EXPOSED = frozenset(
    {
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "ANUS_EXPOSED",
    }
)


class NudeNetClassifier:
    """The real ``Classifier``: one detector per process, loaded from its package on first use."""

    def __init__(self) -> None:
        self._detector: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """Which model scores frames: part of the screening's policy version."""
        return f"nudenet-320n-{metadata.version('nudenet')}"

    def score(self, frames: Sequence[Image.Image]) -> list[float]:
        """Each frame's nudity score, from 0 to 1."""
        detector = self._loaded()
        return [frame_score(detector.detect(_bgr(frame))) for frame in frames]

    def _loaded(self) -> Any:
        with self._lock:
            if self._detector is None:
                from nudenet import NudeDetector  # ONNX Runtime and OpenCV load only where frames are scored

                self._detector = NudeDetector()
            return self._detector


def frame_score(detections: Sequence[dict[str, Any]]) -> float:
    """The most confident detection of an exposed part; 0 with none."""
    scores = [float(found["score"]) for found in detections if found.get("class") in EXPOSED]
    return max(scores, default=0.0)


def _bgr(frame: Image.Image) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The detector reads OpenCV's channel order."""
    rgb = np.asarray(frame.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])
