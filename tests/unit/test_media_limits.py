"""One set of limits: a video the upload check accepts is one the domain records and the transcode
worker accepts too, so nothing passes the upload only to fail late with its source kept."""

from __future__ import annotations

import inspect
from typing import Any

import annotated_types
import pytest

from domain.errors import InvalidCommand
from domain.videos import rules
from media.probe import NotPlayable, Probe, probe, within_limits
from strom.settings import Settings


def clip(width: int = 1920, height: int = 1080, duration_s: float = 10.0, frame_rate: float = 30.0) -> Probe:
    return Probe("mov,mp4,m4a,3gp,3g2,mj2", duration_s, width, height, 0, "h264", None, frame_rate)


def recorded(found: Probe) -> None:
    """What the upload records once the probe accepted the file (``api.uploading.accept``)."""
    rules.ensure_upload(
        rules.MAX_SIZE_BYTES, max(1, round(found.duration_s * 1000)), found.width, found.height
    )


def test_the_probe_defaults_are_the_domain_limits() -> None:
    # The transcode worker calls probe() with these defaults; the upload check with the same constants
    defaults = {name: p.default for name, p in inspect.signature(probe).parameters.items()}
    assert defaults["max_dimension"] == rules.MAX_DIMENSION
    assert defaults["max_duration_s"] == rules.MAX_DURATION_MS / 1000
    assert defaults["max_size_bytes"] == rules.MAX_SIZE_BYTES


@pytest.mark.parametrize(
    "edge",
    [
        clip(width=rules.MAX_DIMENSION, height=rules.MIN_DIMENSION),
        clip(width=rules.MIN_DIMENSION, height=rules.MAX_DIMENSION),
        clip(duration_s=rules.MAX_DURATION_MS / 1000),
        clip(frame_rate=rules.MAX_FRAME_RATE),
    ],
)
def test_a_video_at_every_limit_passes_the_probe_and_is_recorded(edge: Probe) -> None:
    assert within_limits(edge) is edge
    recorded(edge)


@pytest.mark.parametrize(
    "beyond",
    [
        clip(width=rules.MAX_DIMENSION + 1),
        clip(height=rules.MAX_DIMENSION + 1, width=720),
        clip(duration_s=rules.MAX_DURATION_MS / 1000 + 0.01),
        clip(frame_rate=rules.MAX_FRAME_RATE + 1),
    ],
)
def test_a_video_past_any_limit_is_refused_by_the_probe(beyond: Probe) -> None:
    with pytest.raises(NotPlayable):
        within_limits(beyond)


def test_the_domain_refuses_what_is_past_the_probe_limits() -> None:
    with pytest.raises(InvalidCommand):
        rules.ensure_upload(1, 1000, rules.MAX_DIMENSION + 1, 1080)
    with pytest.raises(InvalidCommand):
        rules.ensure_upload(rules.MAX_SIZE_BYTES + 1, 1000, 1920, 1080)


def _most(field: str) -> Any:
    bounds = [m for m in Settings.model_fields[field].metadata if isinstance(m, annotated_types.Le)]
    assert bounds, f"Settings.{field} has no upper bound"
    return bounds[0].le


def test_settings_cannot_raise_the_upload_limits_past_the_domain_ones() -> None:
    assert _most("upload_max_bytes") <= rules.MAX_SIZE_BYTES
    assert _most("upload_max_duration_s") <= rules.MAX_DURATION_MS / 1000
