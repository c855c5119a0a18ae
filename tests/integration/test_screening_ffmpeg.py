"""Screening's adapters on real media: frames sampled through the hardened ffmpeg, perceptual hashes
that survive re-encoding against the operator's blocklist, and the classifier loaded from its
package with the network out of reach."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from domain.screening import Findings, Policy, Verdict, judge
from media.probe import NotPlayable
from media.screening.blocklist import BlocklistFile
from media.screening.frames import SIZE, FrameSampler
from media.screening.hashing import distance, frame_hash, frame_hashes
from media.screening.nsfw import NudeNetClassifier
from media.screening.scan import Scanner, ScanSettings
from tests.clips import clip, ffmpeg

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def classifier() -> NudeNetClassifier:
    return NudeNetClassifier()


def scanner(blocklist: BlocklistFile, classifier: NudeNetClassifier) -> Scanner:
    return Scanner(FrameSampler(), blocklist, classifier, ScanSettings(frames=8))


def blocklisted_clip(tmp_path: Path) -> tuple[Path, BlocklistFile]:
    """A test-pattern clip, blocklisted by its frames as ``strom screening blocklist add`` does."""
    bad = clip(tmp_path / "bad.mp4", size="320x240", seconds=3)
    blocklist = BlocklistFile(tmp_path / "screening" / "blocklist.txt")
    blocklist.add(frame_hashes(FrameSampler().sample(bad, 8)), "bad.mp4")
    return bad, blocklist


@pytest.mark.parametrize("one_pass_s", [60.0, 0.0], ids=["one-pass", "seeking"])
def test_frames_are_spread_over_the_clip_and_fit_the_classifiers_input(
    tmp_path: Path, one_pass_s: float
) -> None:
    # Given
    video = clip(tmp_path / "wide.mp4", size="1280x720", seconds=2, sound=False)
    # When
    frames = FrameSampler(one_pass_s=one_pass_s).sample(video, 5)
    # Then
    assert len(frames) == 5
    assert {frame.size for frame in frames} == {(SIZE, 180)}
    assert len(set(frame_hashes(frames))) == 5  # different moments, different pictures


def test_both_ways_of_sampling_take_the_same_moments(tmp_path: Path) -> None:
    video = clip(tmp_path / "clip.mp4", seconds=3)
    one_pass = frame_hashes(FrameSampler().sample(video, 6))
    seeking = frame_hashes(FrameSampler(one_pass_s=0).sample(video, 6))
    assert [distance(a, b) for a, b in zip(one_pass, seeking, strict=True)] == [0] * 6


def test_a_blocklisted_clip_re_encoded_at_another_resolution_and_bitrate_is_blocked(
    tmp_path: Path, classifier: NudeNetClassifier
) -> None:
    # Given
    bad, blocklist = blocklisted_clip(tmp_path)
    copy = tmp_path / "copy.mp4"
    ffmpeg("-i", str(bad), "-vf", "scale=640:480", "-c:v", "libx264", "-b:v", "150k", "-an", str(copy))
    # When
    findings = scanner(blocklist, classifier).scan(copy)
    # Then
    assert findings.hash_matches
    assert set(findings.hash_matches) <= {entry.id for entry in blocklist.entries()}
    assert judge(Policy(), findings).verdict is Verdict.BLOCKED


def test_an_unrelated_clip_is_clear(tmp_path: Path, classifier: NudeNetClassifier) -> None:
    # Given
    _, blocklist = blocklisted_clip(tmp_path)
    other = tmp_path / "other.mp4"
    ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=30", "-t", "3", "-c:v", "libx264", str(other))
    # When
    findings = scanner(blocklist, classifier).scan(other)
    # Then
    assert findings.hash_matches == ()
    assert findings.nsfw_score is not None
    assert 0 <= findings.nsfw_score <= 1
    assert judge(Policy(), findings).verdict is Verdict.ALLOWED


def test_flat_frames_are_neither_blocklisted_nor_matched(tmp_path: Path) -> None:
    # Given
    black = tmp_path / "black.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=black:size=320x240:rate=30", "-t", "2", "-c:v", "libx264", str(black)
    )
    # When
    frames = FrameSampler().sample(black, 4)
    # Then
    assert len(frames) == 4
    assert frame_hashes(frames) == []


def test_what_is_not_a_video_is_refused_before_ffmpeg_reads_it(tmp_path: Path) -> None:
    playlist = tmp_path / "list.m3u8"
    playlist.write_text("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n")
    with pytest.raises(NotPlayable, match="playlist"):
        FrameSampler().sample(playlist, 4)


def test_the_blocklist_file_is_the_operators_alone_and_adds_and_removes_entries(tmp_path: Path) -> None:
    # Given
    blocklist = BlocklistFile(tmp_path / "blocklist.txt")
    # When
    added = blocklist.add([0x00FF00FF00FF00FF, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF], "two frames")
    again = blocklist.add([0x0F0F0F0F0F0F0F0F], "same again")
    removed = blocklist.remove(["00ff00ff00ff00ff"])
    # Then
    assert [entry.id for entry in added] == ["00ff00ff00ff00ff", "0f0f0f0f0f0f0f0f"]
    assert again == []
    assert [entry.id for entry in removed] == ["00ff00ff00ff00ff"]
    assert [(e.id, e.note) for e in blocklist.entries()] == [("0f0f0f0f0f0f0f0f", "two frames")]
    assert stat.S_IMODE(os.stat(blocklist.path).st_mode) == 0o600


# -- the classifier --------------------------------------------------------------------------------


def test_the_classifier_loads_from_its_package_with_the_network_out_of_reach(tmp_path: Path) -> None:
    """In a fresh process where opening any socket fails and no proxy or home is set, the model
    loads from the installed package and scores a frame: nothing is fetched at run time."""
    script = """
import socket
def refuse(*args, **kwargs):
    raise OSError("the network is out of reach in this test")
socket.socket = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from PIL import Image
from media.screening.nsfw import NudeNetClassifier
classifier = NudeNetClassifier()
print(classifier.name, classifier.score([Image.new("RGB", (320, 240), (90, 140, 200))])[0])
"""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    name, score = done.stdout.split()
    assert name.startswith("nudenet-320n-")
    assert float(score) == 0.0


def test_the_classifier_scores_each_frame_from_0_to_1(classifier: NudeNetClassifier) -> None:
    # Given: a plain frame, and one of skin tones with soft shapes
    plain = Image.new("RGB", (320, 240), (60, 120, 200))
    skin = Image.new("RGB", (320, 240), (224, 172, 140))
    for x in range(0, 320, 40):
        skin.paste((198, 134, 100), (x, 60, x + 20, 180))
    # When
    scores = classifier.score([plain, skin, plain])
    # Then
    assert len(scores) == 3
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores[0] == scores[2] == 0.0
    assert classifier.score([skin]) == scores[1:2]  # the same frame, the same score


def test_a_flat_frame_has_no_hash_and_a_textured_one_does() -> None:
    assert frame_hash(Image.new("RGB", (64, 64), (10, 10, 10))) is None
    checks = Image.new("RGB", (64, 64), (0, 0, 0))
    for x in range(0, 64, 16):
        checks.paste((255, 255, 255), (x, 0, x + 8, 64))
    assert isinstance(frame_hash(checks), int)


def test_a_failed_scan_reads_as_held_by_the_policy() -> None:
    assert judge(Policy(), Findings(failed="no frame")).verdict is Verdict.HELD
