"""STROM_MEDIA_URL picks the media store: files by default, relative or absolute, or an S3 bucket;
anything else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from media.s3 import S3Storage
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


def test_an_s3_url_opens_the_bucket_under_its_prefix_without_connecting() -> None:
    storage = open_media_storage(
        Settings(
            media_url="s3://strom-media/prod?endpoint=http://127.0.0.1:9&region=eu-west-1&path_style=true"
        )
    )
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("strom-media", "prod/")
    assert storage.client.meta.endpoint_url == "http://127.0.0.1:9"
    assert storage.client.meta.region_name == "eu-west-1"


def test_an_s3_url_carrying_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="credentials do not belong in the URL"):
        open_media_storage(Settings(media_url="s3://key:secret@strom-media"))
