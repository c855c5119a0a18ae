"""Caption tracks: one per language, added, replaced and removed by the owner of a processed video."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, InvalidCommand, NotFound
from domain.videos import (
    AddCaptionTrack,
    CaptionTrack,
    CaptionTrackAdded,
    CaptionTrackRemoved,
    Event,
    RemoveCaptionTrack,
    VideoDeleted,
    decide_add_caption_track,
    decide_remove_caption_track,
)
from domain.videos.rules import MAX_CAPTION_TRACKS, valid_language_tag
from tests.unit.domain.test_videos import OWNER, PROCESSED, PROCESSING, PUBLISHED, STRANGER, given

EN_KEY = "videos/v1/captions/en-0123456789abcdef.vtt"
EN: list[Event] = [*PUBLISHED, CaptionTrackAdded("v1", "owner", "en", EN_KEY, 3)]


def add(lang: str = "en", key: str = EN_KEY, cues: int = 3, actor: object = OWNER) -> AddCaptionTrack:
    return AddCaptionTrack(actor, "v1", lang, key, cues)  # type: ignore[arg-type]


def test_the_owner_adds_a_track_to_a_processed_video_published_or_not() -> None:
    for history in (PROCESSED, PUBLISHED):
        # Given a processed video, When its owner adds English captions
        events = decide_add_caption_track(given(*history), add())
        # Then the track is recorded with where its file is
        assert events == [CaptionTrackAdded("v1", "owner", "en", EN_KEY, 3)]
        assert given(*history, *events).caption_tracks == (CaptionTrack("en", EN_KEY),)


def test_a_new_file_in_the_same_language_replaces_the_track_and_names_the_old_file() -> None:
    new_key = "videos/v1/captions/en-fedcba9876543210.vtt"
    events = decide_add_caption_track(given(*EN), add(key=new_key))
    assert events == [
        CaptionTrackRemoved("v1", "owner", "en", EN_KEY),
        CaptionTrackAdded("v1", "owner", "en", new_key, 3),
    ]
    assert given(*EN, *events).caption_tracks == (CaptionTrack("en", new_key),)


def test_the_same_file_again_a_retried_request_records_nothing() -> None:
    assert decide_add_caption_track(given(*EN), add()) == []


def test_languages_are_kept_in_canonical_case_so_one_language_has_one_track() -> None:
    key = "videos/v1/captions/pt-BR-0123456789abcdef.vtt"
    events = decide_add_caption_track(given(*PUBLISHED), add("PT-br", key))
    assert isinstance(events[0], CaptionTrackAdded)
    assert events[0].lang == "pt-BR"


@pytest.mark.parametrize(
    "tag", ["", "englishes", "en_US", "en-", "x-private", "i-klingon", "en-US-US", "a" * 36, "en\n"]
)
def test_a_tag_that_is_not_bcp_47_is_refused(tag: str) -> None:
    with pytest.raises(InvalidCommand):
        decide_add_caption_track(given(*PUBLISHED), add(tag))


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("en", "en"),
        ("EN-us", "en-US"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("de-CH-1901", "de-CH-1901"),
        ("en-a-bb-x-yy", "en-a-bb-x-yy"),
    ],
)
def test_well_formed_tags_are_accepted_in_canonical_case(tag: str, canonical: str) -> None:
    assert valid_language_tag(tag) == canonical


@pytest.mark.parametrize(
    "key",
    [
        "videos/v2/captions/en.vtt",
        "videos/v1/captions/en.m3u8",
        "videos/v1/poster.vtt",
        "/etc/passwd",
        "videos/v1/captions/../../x.vtt",
    ],
)
def test_the_file_must_be_a_vtt_in_the_videos_own_captions_folder(key: str) -> None:
    with pytest.raises(InvalidCommand):
        decide_add_caption_track(given(*PUBLISHED), add(key=key))


def test_who_and_when() -> None:
    with pytest.raises(NotFound, match=r"^video not found$"):
        decide_add_caption_track(given(*PUBLISHED), add(actor=STRANGER))
    with pytest.raises(Conflict, match="add captions"):
        decide_add_caption_track(given(*PROCESSING), add())
    with pytest.raises(Conflict, match="deleted"):
        decide_add_caption_track(given(*PUBLISHED, VideoDeleted("v1", "owner")), add())
    with pytest.raises(InvalidCommand):
        decide_add_caption_track(given(*PUBLISHED), add(cues=0))


def test_a_video_has_a_bounded_number_of_tracks_but_may_replace_one_when_full() -> None:
    langs = [f"l{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(MAX_CAPTION_TRACKS)]
    full = [
        *PUBLISHED,
        *(CaptionTrackAdded("v1", "owner", lang, f"videos/v1/captions/{lang}-0.vtt", 1) for lang in langs),
    ]
    with pytest.raises(Conflict, match="at most"):
        decide_add_caption_track(given(*full), add("en"))
    replaced = decide_add_caption_track(given(*full), add(langs[0], f"videos/v1/captions/{langs[0]}-1.vtt"))
    assert len(replaced) == 2


def test_the_owner_removes_a_track_and_removing_a_missing_one_is_not_found() -> None:
    events = decide_remove_caption_track(given(*EN), RemoveCaptionTrack(OWNER, "v1", "EN"))
    assert events == [CaptionTrackRemoved("v1", "owner", "en", EN_KEY)]
    assert given(*EN, *events).caption_tracks == ()
    with pytest.raises(NotFound):
        decide_remove_caption_track(given(*EN, *events), RemoveCaptionTrack(OWNER, "v1", "en"))
    with pytest.raises(NotFound, match=r"^video not found$"):
        decide_remove_caption_track(given(*EN), RemoveCaptionTrack(STRANGER, "v1", "en"))
