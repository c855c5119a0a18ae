"""Cursors are sealed: a caller learns nothing from one and cannot forge or alter one, while every
API process, before and after a restart, opens the cursors any other handed out."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from read_models.cursors import CursorSeal
from read_models.errors import InvalidQuery
from read_models.listing import bucket_cursor, parse_bucket_cursor
from read_models.search import hashtag_cursor, parse_hashtag_cursor
from strom.settings import Settings
from tests.cursor_readings import altered_cursors, named_in

VIDEO = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
AT = datetime(2026, 3, 1, 12, 30, 15, 123000, tzinfo=UTC)
MILLIS = round(AT.timestamp() * 1000)
SECRET = "cursor-test-" + "Qm7vX2pL" * 5


def seal_of(secret: str, tmp_path: Path) -> CursorSeal:
    return CursorSeal(Settings(jwt_secret=SecretStr(secret), data_dir=tmp_path).cursor_key())


def test_a_listed_videos_cursor_names_neither_the_video_nor_its_time(tmp_path: Path) -> None:
    # Given
    cursors = seal_of(SECRET, tmp_path)

    # When
    cursor = bucket_cursor(cursors, "fresh videos", 7, {"published_at": AT, "video_id": VIDEO})

    # Then
    assert named_in(cursor, [VIDEO, MILLIS, MILLIS // 1000]) == []
    assert parse_bucket_cursor(cursors, "fresh videos", cursor) == (7, (AT, VIDEO))


def test_a_hashtag_search_cursor_names_no_hashtag(tmp_path: Path) -> None:
    cursors = seal_of(SECRET, tmp_path)
    cursor = hashtag_cursor(cursors, "catsofstrom")
    assert named_in(cursor, ["catsofstrom", "cats"]) == []
    assert parse_hashtag_cursor(cursors, cursor, "cat") == "catsofstrom"


def test_the_same_secret_opens_a_cursor_in_another_process_and_gives_the_same_cursor(
    tmp_path: Path,
) -> None:
    # Given two seals made apart from the same configured secret, as two API processes make them
    here, there = seal_of(SECRET, tmp_path), seal_of(SECRET, tmp_path)

    # When one seals a cursor
    cursor = here.seal("page", b"where the next page starts")

    # Then the other opens it, and seals the same page alike
    assert there.open("page", cursor) == b"where the next page starts"
    assert there.seal("page", b"where the next page starts") == cursor


def test_an_altered_forged_or_foreign_cursor_is_refused(tmp_path: Path) -> None:
    cursors = seal_of(SECRET, tmp_path)
    cursor = cursors.seal("page", b"where the next page starts")
    refused = [
        *altered_cursors(cursor),
        cursor[:-4],  # cut short
        "W1sxNzk2NjIwNjI2NDEyLCAidiJdXQ",  # a cursor as unsealed pages had them
        "not a cursor!",
        "",
        seal_of("another-" + "Zt4nR8wK" * 5, tmp_path).seal("page", b"where the next page starts"),
    ]
    for bad in refused:
        with pytest.raises(InvalidQuery):
            cursors.open("page", bad)
    # And a cursor of one kind never opens as another
    with pytest.raises(InvalidQuery):
        cursors.open("trending", cursor)


def test_sealing_makes_a_cursor_only_the_tag_longer(tmp_path: Path) -> None:
    """Cursors travel in query strings (at most 2048 characters, ``api.reading.Cursor``)."""
    state = bytes(200)  # a long Cassandra paging state
    unsealed = base64.urlsafe_b64encode(state).decode().rstrip("=")
    assert len(seal_of(SECRET, tmp_path).seal("page", state)) <= len(unsealed) + 22
