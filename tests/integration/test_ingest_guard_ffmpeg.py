"""The guard's ffmpeg options hold on their own: even a hostile file that got past the sniffing is
read by the forced demuxer with the ``file`` protocol alone and data references off, so ffprobe opens
nothing it points at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from media.ingest_guard import ISO_BMFF, MATROSKA, Admitted, Container, isolated
from tests.canaries import OpenedFiles
from tests.clips import clip
from tests.hostile_media import concat_list, with_external_dref

TARGET = "private.mp4"


def hostile_files(folder: Path) -> dict[str, bytes]:
    """Each points at ``TARGET`` beside it, by absolute path, by relative path or by data reference."""
    target = clip(folder / TARGET, size="64x48", seconds=0.5, sound=False)
    playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:0.5,\n{target}\n#EXT-X-ENDLIST\n"
    return {
        "hls": playlist.encode(),
        "concat": concat_list(TARGET),
        "mp4-external-data": with_external_dref(target.read_bytes(), TARGET),
    }


def ffprobe(upload: Admitted, *extra: str) -> None:
    binary = shutil.which("ffprobe")
    assert binary is not None
    with isolated() as place:
        command = [binary, "-v", "quiet", "-show_streams", *upload.input_args()[:-2], *extra]
        command += upload.input_args()[-2:]
        subprocess.run(command, cwd=place.cwd, env=place.env, timeout=60, check=False, capture_output=True)


@pytest.mark.parametrize("container", [ISO_BMFF, MATROSKA], ids=["mov", "matroska"])
@pytest.mark.parametrize("kind", ["hls", "concat", "mp4-external-data"])
def test_a_hostile_file_read_through_the_guard_options_opens_nothing_else(
    tmp_path: Path, container: Container, kind: str
) -> None:
    # Given a hostile file, handed over as if it had been admitted
    upload = tmp_path / "upload.bin"
    upload.write_bytes(hostile_files(tmp_path)[kind])
    # When ffprobe reads it with the guard's options
    with OpenedFiles(tmp_path, ignored=(upload,)) as seen:
        ffprobe(Admitted(upload, container, upload.stat().st_size))
        # Then nothing beside it was opened
        assert seen.seen() == []


def test_it_is_the_guard_options_that_keep_a_data_reference_unfollowed(tmp_path: Path) -> None:
    # Given an MP4 whose track lives in another file
    upload = tmp_path / "upload.bin"
    upload.write_bytes(hostile_files(tmp_path)["mp4-external-data"])
    admitted = Admitted(upload, ISO_BMFF, upload.stat().st_size)
    # When the guard's options are overridden to follow data references
    with OpenedFiles(tmp_path, ignored=(upload,)) as seen:
        ffprobe(admitted, "-enable_drefs", "1")
        # Then the other file is opened: the canary would have seen it
        assert seen.seen() == [tmp_path / TARGET]
