"""STROM_MEDIA_URL picks the media store: files by default, relative or absolute; anything else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from media.storage import FileStorage
from strom.settings import Settings
from strom.wiring import open_media_storage


def test_the_default_keeps_media_under_var_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    storage = open_media_storage(Settings())
    assert isinstance(storage, FileStorage)
    assert storage.root == Path("var/media")
    storage.put_bytes("videos/v1/poster.jpg", b"jpg")
    assert (tmp_path / "var/media/videos/v1/poster.jpg").read_bytes() == b"jpg"


def test_an_absolute_file_url_is_a_folder_anywhere(tmp_path: Path) -> None:
    storage = open_media_storage(Settings(media_url=f"file://{tmp_path}/store"))
    assert isinstance(storage, FileStorage)
    assert storage.root == tmp_path / "store"


def test_a_url_without_an_adapter_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="STROM_MEDIA_URL='ftp://x'"):
        open_media_storage(Settings(media_url="ftp://x"))
