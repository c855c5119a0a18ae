"""Probing real files made by ffmpeg itself: the clips a phone uploads are described correctly, and
every kind of bad upload is refused with its own reason."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from media.probe import NotPlayable, Probe, probe
from tests.clips import clip, ffmpeg

LIMIT_S = 600.0


def refusal(path: Path, max_duration_s: float = LIMIT_S) -> str:
    with pytest.raises(NotPlayable) as refused:
        probe(path, max_duration_s=max_duration_s)
    return refused.value.reason


@pytest.fixture(scope="module", autouse=True)
def ffprobe_installed() -> None:
    if shutil.which("ffprobe") is None:
        pytest.fail("ffprobe is not installed: run scripts/system_deps.sh (make test does) as root")


def test_a_landscape_clip_with_sound(tmp_path: Path) -> None:
    found = probe(clip(tmp_path / "landscape.mp4"), max_duration_s=LIMIT_S)
    assert found.duration_s == pytest.approx(2.0, abs=0.1)
    assert found == Probe(
        container="mov,mp4,m4a,3gp,3g2,mj2",
        duration_s=found.duration_s,
        width=320,
        height=240,
        rotation=0,
        video_codec="h264",
        audio_codec="aac",
        frame_rate=30.0,
    )


def test_a_portrait_clip_recorded_sideways_is_displayed_upright(tmp_path: Path) -> None:
    # Given a landscape encode carrying rotation metadata, as phones write it
    source = clip(tmp_path / "sideways.mp4")
    turned = tmp_path / "portrait.mp4"
    ffmpeg("-i", str(source), "-c", "copy", "-metadata:s:v", "rotate=90", str(turned))
    # When it is probed
    found = probe(turned, max_duration_s=LIMIT_S)
    # Then it is a portrait video; ffmpeg versions disagree on the sign the tag is written with
    assert (found.width, found.height) == (240, 320)
    assert found.rotation in (90, 270)


def test_a_clip_without_sound(tmp_path: Path) -> None:
    found = probe(clip(tmp_path / "silent.mp4", sound=False), max_duration_s=LIMIT_S)
    assert (found.has_audio, found.audio_codec) == (False, None)


def test_a_very_short_clip(tmp_path: Path) -> None:
    found = probe(clip(tmp_path / "short.mp4", seconds=0.2), max_duration_s=LIMIT_S)
    assert 0 < found.duration_s < 0.5


def test_an_odd_size(tmp_path: Path) -> None:
    found = probe(clip(tmp_path / "odd.mp4", size="322x178"), max_duration_s=LIMIT_S)
    assert (found.width, found.height) == (322, 178)


def test_a_clip_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    reason = refusal(clip(tmp_path / "long.mp4", seconds=3), max_duration_s=1.5)
    assert reason == "the video is 3 seconds long; at most 1.5 seconds are allowed"


def test_an_image_is_refused(tmp_path: Path) -> None:
    image = tmp_path / "picture.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1", str(image))
    assert refusal(image) == "the file is a still image, not a video"


def test_a_renamed_text_file_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("these are my holiday notes, not a video\n" * 50)
    assert refusal(text) == "the file is not a video: it is text"


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.touch()
    assert refusal(empty) == "the file is empty"


@pytest.mark.parametrize("faststart", [False, True], ids=["index-at-end", "index-first"])
def test_the_first_half_of_a_clip_is_refused_as_incomplete(tmp_path: Path, faststart: bool) -> None:
    flags = ("-movflags", "+faststart") if faststart else ()
    whole = clip(tmp_path / "whole.mp4", extra=flags).read_bytes()
    half = tmp_path / "half.mp4"
    half.write_bytes(whole[: len(whole) // 2])
    assert "incomplete" in refusal(half)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = clip(tmp_path / "big.mp4")
    with pytest.raises(NotPlayable) as refused:
        probe(big, max_duration_s=LIMIT_S, max_size_bytes=1024)
    assert re.fullmatch(r"the file is [\d.]+ KiB; at most 1 KiB are allowed", refused.value.reason)
