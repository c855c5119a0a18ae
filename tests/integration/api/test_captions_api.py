"""Caption tracks through the real routes: the owner puts WebVTT, Strom stores its own plain copy,
the video's details list the track, and the media routes serve it under the access policy; hostile
files are refused with a problem that says why, and removed or replaced files leave storage."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from commands import streams
from commands.context import FixedRules
from domain.access import Visibility
from domain.actors import Role
from domain.screening import Rules, parse_words
from domain.videos.events import CaptionTrackAdded
from media import keys
from strom import pipeline
from tests.integration.api.harness import User
from tests.integration.api.media_world import World

VTT = {"Content-Type": "text/vtt"}
#: The media world's clips last 4 s.
GOOD = b"""WEBVTT

1
00:00.000 --> 00:01.500 line:0
Hello <b>world</b>

00:01.500 --> 00:03.000
<c.yellow>second</c> &amp; last
"""
STORED = (
    b"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello <b>world</b>\n\n"
    b"00:00:01.500 --> 00:00:03.000\nsecond &amp; last\n"
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


@pytest.fixture
def ann(world: World) -> User:
    return world.system.register("ann")


def put(
    world: World, user: User | None, video_id: str, lang: str, data: bytes, **headers: str
) -> httpx.Response:
    auth = user.auth if user else {}
    response: httpx.Response = world.client.put(
        f"/v1/videos/{video_id}/captions/{lang}", content=data, headers={**VTT, **auth, **headers}
    )
    return response


def tracks(world: World, video_id: str, user: User | None = None) -> list[dict[str, Any]]:
    world.project()
    response = world.get(f"/v1/videos/{video_id}", user)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["captions"]
    return found


def cleanup(world: World) -> None:
    """The media cleanup, run over the log as the process manager would."""
    system = world.system
    pipeline.media_cleanup(
        world.storage, events=system.store, codec=system.ports.codec, store=system.read_store
    ).run(until=system.store.head_position())


# -- the owner adds, and viewers get Strom's copy --------------------------------------------------


def test_the_owner_adds_a_track_and_viewers_get_the_plain_copy_as_text_vtt(world: World, ann: User) -> None:
    # Given ann's public video
    video_id = world.video(ann)
    # When she puts English captions
    response = put(world, ann, video_id, "EN", GOOD)
    # Then the track is recorded in canonical case, with its cues
    assert response.status_code == 200, response.text
    assert response.json()["lang"] == "en"
    assert response.json()["cues"] == 2
    # And anyone sees it in the video's details, and fetches Strom's copy from the public path
    (track,) = tracks(world, video_id)
    assert track["lang"] == "en"
    assert track["url"].startswith(f"/v1/media/videos/{video_id}/captions/en-")
    served = world.get(track["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "text/vtt; charset=utf-8"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content == STORED


def test_a_private_videos_track_is_served_only_through_the_owners_signed_link(
    world: World, ann: User
) -> None:
    bob = world.system.register("bob")
    video_id = world.video(ann, Visibility.PRIVATE)
    assert put(world, ann, video_id, "de", GOOD).status_code == 200
    (track,) = tracks(world, video_id, ann)
    assert "/v1/media/s/" in track["url"]
    assert world.get(track["url"], ann).content == STORED
    assert world.get(track["url"], bob).status_code == 403  # the link is ann's
    key_path = track["url"].split("/videos/", 1)[1]
    assert world.get(f"/v1/media/videos/{key_path}").status_code == 404  # not on the public path
    assert world.get(f"/v1/videos/{video_id}", bob).status_code == 404


def test_a_scheduled_or_unpublished_video_takes_captions_but_shows_them_to_its_owner_alone(
    world: World, ann: User
) -> None:
    video_id = world.processed(ann)
    assert put(world, ann, video_id, "en", GOOD).status_code == 200
    assert len(tracks(world, video_id, ann)) == 1
    assert world.get(f"/v1/videos/{video_id}").status_code == 404


def test_a_new_file_replaces_the_track_and_the_old_file_leaves_storage(world: World, ann: User) -> None:
    video_id = world.video(ann)
    assert put(world, ann, video_id, "en", GOOD).status_code == 200
    (first,) = tracks(world, video_id)
    newer = b"WEBVTT\n\n00:00.000 --> 00:01.000\nnewer\n"
    assert put(world, ann, video_id, "en", newer).status_code == 200
    (second,) = tracks(world, video_id)
    assert second["url"] != first["url"]
    assert world.get(second["url"]).content == b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nnewer\n"
    cleanup(world)
    assert world.get(first["url"]).status_code == 404
    assert world.get(second["url"]).status_code == 200


def test_removing_a_track_takes_it_off_the_details_and_its_file_out_of_storage(
    world: World, ann: User
) -> None:
    video_id = world.video(ann)
    assert put(world, ann, video_id, "en", GOOD).status_code == 200
    (track,) = tracks(world, video_id)
    removed = world.client.delete(f"/v1/videos/{video_id}/captions/en", headers=ann.auth)
    assert removed.status_code == 200, removed.text
    assert tracks(world, video_id) == []
    cleanup(world)
    assert world.get(track["url"]).status_code == 404
    again = world.client.delete(f"/v1/videos/{video_id}/captions/en", headers=ann.auth)
    assert again.status_code == 404


def test_deleting_the_video_removes_its_caption_files(world: World, ann: User) -> None:
    video_id = world.video(ann)
    assert put(world, ann, video_id, "en", GOOD).status_code == 200
    assert put(world, ann, video_id, "fr", GOOD).status_code == 200
    assert len(world.storage.keys(f"videos/{video_id}/captions")) == 2
    world.act("DELETE", f"/v1/videos/{video_id}", ann)
    cleanup(world)
    assert [k for prefix in keys.of_video(video_id) for k in world.storage.keys(prefix)] == []


def test_a_retry_with_the_same_idempotency_key_records_one_track(world: World, ann: User) -> None:
    video_id = world.video(ann)
    first = put(world, ann, video_id, "en", GOOD, **{"Idempotency-Key": "captions-1"})
    again = put(world, ann, video_id, "en", GOOD, **{"Idempotency-Key": "captions-1"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    codec = world.system.ports.codec
    records = world.system.store.read_stream(streams.video(video_id))
    assert sum(isinstance(codec.decode(r).event, CaptionTrackAdded) for r in records) == 1
    assert len(world.storage.keys(f"videos/{video_id}/captions")) == 1


# -- who may, and what is refused ------------------------------------------------------------------


def test_only_the_owner_of_a_processed_video_adds_captions(world: World, ann: User) -> None:
    bob = world.system.register("bob")
    video_id = world.video(ann)
    assert put(world, bob, video_id, "en", GOOD).status_code == 404  # to anyone else, no such video
    assert put(world, None, video_id, "en", GOOD).status_code == 401
    assert put(world, ann, "01234567-89ab-7def-8123-456789abcdef", "en", GOOD).status_code == 404
    draft = world.client.post("/v1/videos", headers=ann.auth).json()["video_id"]
    assert put(world, ann, draft, "en", GOOD).status_code == 409
    assert world.storage.keys(f"videos/{video_id}/captions") == []


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"1\n00:00:01,000 --> 00:00:02,000\nan SRT file\n", "first line must be WEBVTT"),
        (b"<html><script>alert(1)</script></html>", "first line must be WEBVTT"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "UTF-8"),
        (b"WEBVTT\n\n-00:01.000 --> 00:02.000\nnegative\n", "not a timestamp"),
        (b"WEBVTT\n\n00:02.000 --> 00:01.000\nbackwards\n", "ends at or before its start"),
        (b"WEBVTT\n\n00:00.000 --> 00:02.000\na\n\n00:01.000 --> 00:03.000\nb\n", "before the one before"),
        (b"WEBVTT\n\n10:00:00.000 --> 10:00:01.000\nten hours in\n", "after the video"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\n" + b"x" * 600 + b"\n", "at most 500 characters"),
    ],
    ids=["srt", "html", "binary", "negative", "backwards", "overlapping", "ten-hours", "long-cue"],
)
def test_hostile_files_are_refused_saying_why_and_nothing_is_stored(
    world: World, ann: User, data: bytes, said: str
) -> None:
    video_id = world.video(ann)
    response = put(world, ann, video_id, "en", data)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert said in response.json()["detail"]
    assert world.storage.keys(f"videos/{video_id}/captions") == []


def test_scripts_and_markup_never_reach_the_stored_file(world: World, ann: User) -> None:
    video_id = world.video(ann)
    hostile = (
        b"WEBVTT\n\nSTYLE\n::cue { background: url(https://evil.example/x) }\n\n"
        b"00:00.000 --> 00:01.000\n<script>alert(1)</script><img src=x onerror=alert(2)> "
        b"<a href='javascript:alert(3)'>click</a> <i.x>ok</i>\n"
    )
    assert put(world, ann, video_id, "en", hostile).status_code == 200
    (track,) = tracks(world, video_id)
    stored = world.get(track["url"]).content
    assert stored == b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nalert(1) click <i>ok</i>\n"


def test_a_file_over_256_kb_is_413_before_it_is_read(world: World, ann: User) -> None:
    video_id = world.video(ann)
    huge = b"WEBVTT\n\n" + b"00:00.000 --> 00:01.000\nx\n\n" * 12_000
    assert len(huge) > 256 * 1024
    response = put(world, ann, video_id, "en", huge)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    # while a file just under it passes the body cap (and is then judged on its content)
    near = b"WEBVTT\n\nNOTE " + b"n" * (200 * 1024) + b"\n\n00:00.000 --> 00:01.000\nfits\n"
    assert put(world, ann, video_id, "en", near).status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "text/vtt; charset=latin-1", ""])
def test_anything_but_text_vtt_in_utf_8_is_415(world: World, ann: User, content_type: str) -> None:
    video_id = world.video(ann)
    response = put(world, ann, video_id, "en", GOOD, **{"Content-Type": content_type})
    assert response.status_code == 415


@pytest.mark.parametrize("lang", ["englishes", "en_US", "x-private", "1234"])
def test_a_language_that_is_no_bcp_47_tag_is_422(world: World, ann: User, lang: str) -> None:
    video_id = world.video(ann)
    response = put(world, ann, video_id, lang, GOOD)
    assert response.status_code == 422, response.text


def test_captions_holding_a_watched_word_are_refused_as_a_caption_would_be(world: World, ann: User) -> None:
    # Given the operator watches "badword", and ann's video
    video_id = world.video(ann)
    state = world.system.state
    state.ports = dataclasses.replace(
        state.ports, screening=FixedRules(Rules(words=parse_words(["badword"])))
    )
    # When her captions say it, however disguised
    response = put(world, ann, video_id, "en", b"WEBVTT\n\n00:00.000 --> 00:01.000\nsuch a <i>b4dw0rd</i>\n")
    # Then they are refused, and nothing is stored
    assert response.status_code == 422, response.text
    assert "watched word" in response.json()["detail"]
    assert world.storage.keys(f"videos/{video_id}/captions") == []


def test_an_owner_restricted_from_uploading_adds_no_captions(world: World, ann: User) -> None:
    mod = world.system.register("mod", Role.MODERATOR)
    video_id = world.video(ann)
    world.act(
        "POST",
        f"/v1/moderation/users/{ann.user_id}/restrictions",
        mod,
        capability="upload",
        duration_hours=24,
        reason="reposting others' videos",
    )
    response = put(world, ann, video_id, "en", GOOD)
    assert response.status_code == 403, response.text
    assert world.storage.keys(f"videos/{video_id}/captions") == []
