"""Profile pictures through the real routes: uploaded, judged by their bytes, served through the media
path under the access policy, replaced, removed, and gone with an erasure."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from domain.actors import Role
from projections.models import moderation_standing
from strom import pipeline
from tests.hostile_media import concat_list, photo_with_gps, picture, png_bomb
from tests.integration.api.harness import User
from tests.integration.api.media_world import World

MB = 1024 * 1024


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


@pytest.fixture
def ann(world: World) -> User:
    return world.system.register("ann")


def send(world: World, user: User | None, data: bytes, **headers: str) -> httpx.Response:
    auth = user.auth if user is not None else {}
    response: httpx.Response = world.client.post("/v1/me/avatar", content=data, headers={**auth, **headers})
    return response


def uploaded(world: World, user: User, data: bytes | None = None) -> dict[str, Any]:
    response = send(world, user, picture("PNG") if data is None else data)
    assert response.status_code == 201, response.text
    world.project()
    body: dict[str, Any] = response.json()
    return body


def profile(world: World, user_id: str, viewer: User | None = None) -> dict[str, Any]:
    response = world.client.get(f"/v1/users/{user_id}", headers=viewer.auth if viewer else {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def fetch(world: World, url: str, viewer: User | None = None) -> httpx.Response:
    response: httpx.Response = world.client.get(url, headers=viewer.auth if viewer else {})
    return response


def clean_up(world: World) -> None:
    """The media cleanup, as ``strom run`` wires it, over the whole log."""
    system = world.system
    cleanup = pipeline.media_cleanup(
        world.storage, events=system.store, codec=system.ports.codec, store=system.read_store
    )
    cleanup.run(until=system.store.head_position())


def files_of(world: World, user_id: str) -> list[str]:
    return world.storage.keys(f"avatars/{user_id}")


# -- the happy path ----------------------------------------------------------------------------------


def test_an_uploaded_photo_becomes_the_profiles_picture_without_its_gps(world: World, ann: User) -> None:
    # Given a phone photo with a GPS position in it
    # When Ann uploads it, declaring nothing of its type
    body = uploaded(world, ann, photo_with_gps())
    # Then her profile shows the picture, in two sizes, at the URLs the upload answered
    seen = profile(world, ann.user_id)
    assert (seen["avatar_url"], seen["avatar_small_url"]) == (body["avatar_url"], body["avatar_small_url"])
    assert body["avatar_url"].startswith(f"/v1/media/avatars/{ann.user_id}/")
    # And anyone fetches a square WebP with nothing of the photo's metadata, cacheable for an hour
    for url, size in ((body["avatar_url"], 320), (body["avatar_small_url"], 96)):
        served = fetch(world, url)
        assert served.status_code == 200, served.text
        assert served.headers["content-type"] == "image/webp"
        assert served.headers["cache-control"] == "public, max-age=3600, immutable"
        shown = Image.open(io.BytesIO(served.content))
        assert (shown.format, shown.size) == ("WEBP", (size, size))
        assert not shown.getexif()
        assert b"PhoneMaker" not in served.content


@pytest.mark.parametrize("declared", ["text/plain", "image/gif", "application/octet-stream", None])
def test_what_the_picture_is_comes_from_its_bytes_not_its_declared_type(
    world: World, ann: User, declared: str | None
) -> None:
    # Given a real PNG sent with whatever Content-Type / When / Then it is taken
    headers = {"Content-Type": declared} if declared else {}
    assert send(world, ann, picture("PNG"), **headers).status_code == 201


def test_a_new_picture_replaces_the_old_which_is_no_longer_served_and_its_files_go(
    world: World, ann: User
) -> None:
    # Given a picture Ann uploaded
    first = uploaded(world, ann)
    # When she uploads another
    second = uploaded(world, ann, picture("JPEG"))
    # Then the old URL reads as absent at once, the new one is served
    assert fetch(world, first["avatar_url"]).status_code == 404
    assert fetch(world, second["avatar_url"]).status_code == 200
    # And once the media cleanup passes, only the new picture's files are left
    clean_up(world)
    folder = second["avatar_url"].split("/")[-2]
    assert files_of(world, ann.user_id) == [
        f"avatars/{ann.user_id}/{folder}/320.webp",
        f"avatars/{ann.user_id}/{folder}/96.webp",
    ]


def test_removing_the_picture_clears_the_profile_and_its_files(world: World, ann: User) -> None:
    # Given
    body = uploaded(world, ann)
    # When
    response = world.client.delete("/v1/me/avatar", headers=ann.auth)
    assert response.status_code == 200, response.text
    world.project()
    clean_up(world)
    # Then
    assert profile(world, ann.user_id)["avatar_url"] is None
    assert fetch(world, body["avatar_url"]).status_code == 404
    assert files_of(world, ann.user_id) == []


def test_editing_name_and_bio_keeps_the_uploaded_picture(world: World, ann: User) -> None:
    # Given a picture / When the profile editor saves name and bio with no avatar_url
    body = uploaded(world, ann)
    response = world.client.put(
        "/v1/me/profile", json={"display_name": "Ann B", "bio": "x"}, headers=ann.auth
    )
    assert response.status_code == 200, response.text
    world.project()
    # Then the picture stays
    assert profile(world, ann.user_id)["avatar_url"] == body["avatar_url"]


# -- what is refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "said"),
    [
        (b"not a picture at all\n" * 10, 415, "not a JPEG, PNG or WebP"),
        (b"#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n", 415, "playlist"),
        (concat_list("/etc/passwd"), 415, "concat list"),
        (png_bomb(100_000, 100_000), 422, "100000x100000 pixels"),
        (picture("PNG")[:70], 422, "could not be read"),
        (picture("PNG", (8, 8)), 422, "at least 16"),
    ],
    ids=["text-named-png", "hls-playlist", "concat-list", "png-bomb", "truncated", "too-small"],
)
def test_a_hostile_or_broken_file_is_refused_with_a_problem_and_nothing_changes(
    world: World, ann: User, data: bytes, status: int, said: str
) -> None:
    # Given Ann with no picture
    before = world.system.store.head_position()
    # When she sends the file, claiming it is a PNG
    response = send(world, ann, data, **{"Content-Type": "image/png"})
    # Then a problem says why, nothing is recorded and nothing is stored
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert said in response.json()["detail"]
    assert world.system.store.head_position() == before
    assert files_of(world, ann.user_id) == []


def test_a_body_over_the_limit_is_refused_as_it_comes_whatever_its_length_said(
    world: World, ann: User
) -> None:
    # Given a body a byte over 5 MB, sent with its length, and sent in chunks without one
    too_big = b"\x89PNG\r\n\x1a\n" + bytes(5 * MB - 7)
    declared = send(world, ann, too_big)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(too_big), MB):
            yield too_big[start : start + MB]

    streamed = world.client.post("/v1/me/avatar", content=chunks(), headers=ann.auth)
    # Then both are refused as too large
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == "application/problem+json"


def test_an_empty_body_is_no_picture(world: World, ann: User) -> None:
    assert send(world, ann, b"").status_code == 415


def test_anonymous_callers_cannot_upload(world: World) -> None:
    assert send(world, None, picture("PNG")).status_code == 401


def test_an_idempotency_key_replays_the_same_picture_and_refuses_another(world: World, ann: User) -> None:
    # Given a first upload under a key
    key = {"Idempotency-Key": "avatar-1"}
    first = send(world, ann, picture("PNG"), **key)
    # When the same bytes come again, then other bytes / Then the first answer, then a refusal
    again = send(world, ann, picture("PNG"), **key)
    other = send(world, ann, picture("JPEG"), **key)
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json()


# -- who sees it -------------------------------------------------------------------------------------


def test_a_holder_who_blocked_the_viewer_shows_them_no_picture(world: World, ann: User) -> None:
    # Given Ann's picture, and Bob whom she blocked
    body = uploaded(world, ann)
    bob = world.system.register("bob")
    assert world.client.put(f"/v1/users/{bob.user_id}/block", headers=ann.auth).status_code == 200
    world.project()
    # When Bob fetches it with his token / Then it reads as absent; others still see it
    assert fetch(world, body["avatar_url"], bob).status_code == 404
    assert fetch(world, body["avatar_url"]).status_code == 200
    served = fetch(world, body["avatar_url"], world.system.register("cay"))
    assert served.status_code == 200
    assert served.headers["cache-control"].startswith("private")


def test_a_suspended_holders_picture_is_withheld_but_from_them_and_moderators(
    world: World, ann: User
) -> None:
    # Given Ann's picture, then her suspension
    body = uploaded(world, ann)
    moderator = world.system.register("mod", role=Role.MODERATOR)
    suspend = f"/v1/moderation/users/{ann.user_id}/suspend"
    assert world.client.post(suspend, json={"reason": "spam"}, headers=moderator.auth).status_code == 200
    world.system.project(moderation_standing.PROJECTOR)
    # When / Then
    assert profile(world, ann.user_id)["avatar_url"] is None
    assert fetch(world, body["avatar_url"]).status_code == 404
    assert fetch(world, body["avatar_url"], moderator).status_code == 200
    assert fetch(world, body["avatar_url"], world.system.sign_in(ann.user_id)).status_code == 200


def test_erasure_removes_the_picture_and_every_file_of_it(world: World, ann: User) -> None:
    # Given two pictures uploaded, the first replaced but not yet cleaned up
    uploaded(world, ann)
    body = uploaded(world, ann)
    assert len(files_of(world, ann.user_id)) == 4
    # When Ann erases her account and the read side and the media cleanup pass it
    assert world.client.delete("/v1/me", headers=ann.auth).status_code == 202
    world.project()
    clean_up(world)
    # Then her picture is served to nobody and not one of its files is left
    assert profile(world, ann.user_id)["avatar_url"] is None
    assert fetch(world, body["avatar_url"]).status_code == 404
    assert files_of(world, ann.user_id) == []
