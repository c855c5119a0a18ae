"""Media delivery through the real routes: what is served to whom, and how a cache may keep it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from api.routers import media as delivery
from domain.access import Visibility
from domain.actors import Role
from eventstore.ids import uuid7
from media import signing
from tests.integration.api.harness import User
from tests.integration.api.media_world import FAR, KEY, MASTER, OBJECTS, SEGMENT, SEGMENT_PATH, YEAR, World


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


@pytest.fixture
def ann(world: World) -> User:
    return world.system.register("ann")


@pytest.fixture
def public_video(world: World, ann: User) -> str:
    return world.video(ann)


# -- what is served, and how ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("master.m3u8", "application/vnd.apple.mpegurl"),
        ("720p/index.m3u8", "application/vnd.apple.mpegurl"),
        ("720p/init.mp4", "video/mp4"),
        (SEGMENT_PATH, "video/iso.segment"),
        ("poster.jpg", "image/jpeg"),
        ("thumbs.jpg", "image/jpeg"),
        ("thumbs.vtt", "text/vtt; charset=utf-8"),
    ],
)
def test_each_object_is_served_whole_with_its_media_type(
    world: World, public_video: str, name: str, media_type: str
) -> None:
    response = world.public(public_video, name)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert response.content == OBJECTS[name]
    assert response.headers["content-length"] == str(len(OBJECTS[name]))
    assert response.headers["accept-ranges"] == "bytes"


def test_a_public_video_is_served_to_anyone_without_credentials(world: World, public_video: str) -> None:
    stranger = world.system.register("stranger")
    assert world.public(public_video, "master.m3u8").status_code == 200
    assert world.public(public_video, "master.m3u8", stranger).status_code == 200


@pytest.mark.parametrize(
    ("name", "cache_control"),
    [
        ("master.m3u8", "max-age=10"),
        ("720p/index.m3u8", "max-age=10"),
        ("720p/init.mp4", YEAR),
        (SEGMENT_PATH, YEAR),
        ("poster.jpg", YEAR),
        ("thumbs.vtt", YEAR),
    ],
)
def test_segments_are_kept_a_year_and_playlists_briefly_by_shared_caches_on_the_public_path(
    world: World, public_video: str, name: str, cache_control: str
) -> None:
    assert world.public(public_video, name).headers["cache-control"] == f"public, {cache_control}"


@pytest.mark.parametrize(
    ("name", "cache_control"),
    [("master.m3u8", "max-age=10"), ("720p/index.m3u8", "max-age=10"), (SEGMENT_PATH, YEAR)],
)
def test_signed_answers_are_kept_by_the_users_own_cache_only(
    world: World, ann: User, name: str, cache_control: str
) -> None:
    video_id = world.video(ann, Visibility.PRIVATE)
    response = world.get(world.signed(video_id, ann, name), ann)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == f"private, {cache_control}"


def test_an_etag_given_back_in_if_none_match_gets_304_without_a_body(world: World, public_video: str) -> None:
    first = world.public(public_video, SEGMENT_PATH)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    for given in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = world.public(public_video, SEGMENT_PATH, headers={"If-None-Match": given})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
        assert again.headers["cache-control"] == f"public, {YEAR}"
    assert world.public(public_video, SEGMENT_PATH, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_replaced_object_gets_a_new_etag(world: World, public_video: str) -> None:
    before = world.public(public_video, "master.m3u8").headers["etag"]
    world.storage.put_bytes(
        f"{world.folder(public_video)}/master.m3u8", MASTER + b"#EXT-X-INDEPENDENT-SEGMENTS\n"
    )
    after = world.public(public_video, "master.m3u8", headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before


@pytest.mark.parametrize(
    ("asked", "start", "end"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=100-199", 100, 200),
        ("bytes=1000-", 1000, 1024),
        ("bytes=1000-5000", 1000, 1024),  # an end past the object is cut at its end
        ("bytes=-24", 1000, 1024),
        ("bytes=-5000", 0, 1024),  # a suffix longer than the object is all of it
        ("bytes=7-7", 7, 8),
    ],
)
def test_a_single_byte_range_gets_206_with_its_bytes(
    world: World, public_video: str, asked: str, start: int, end: int
) -> None:
    response = world.public(public_video, SEGMENT_PATH, headers={"Range": asked})
    assert response.status_code == 206, response.text
    assert response.content == SEGMENT[start:end]
    assert response.headers["content-range"] == f"bytes {start}-{end - 1}/1024"
    assert response.headers["content-length"] == str(end - start)
    assert response.headers["content-type"] == "video/iso.segment"


@pytest.mark.parametrize("asked", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_past_the_end_is_416_with_the_length(world: World, public_video: str, asked: str) -> None:
    response = world.public(public_video, SEGMENT_PATH, headers={"Range": asked})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */1024"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("asked", ["bytes=0-9,20-29", "items=0-9", "bytes=9-1", "bytes=-", "bytes=a-b"])
def test_a_range_we_do_not_serve_as_such_gets_the_whole_object(
    world: World, public_video: str, asked: str
) -> None:
    response = world.public(public_video, SEGMENT_PATH, headers={"Range": asked})
    assert (response.status_code, response.content) == (200, SEGMENT)


def test_if_range_serves_the_range_only_while_the_etag_still_matches(world: World, public_video: str) -> None:
    etag = world.public(public_video, SEGMENT_PATH).headers["etag"]
    current = world.public(public_video, SEGMENT_PATH, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert (current.status_code, current.content) == (206, SEGMENT[:10])
    stale = world.public(public_video, SEGMENT_PATH, headers={"Range": "bytes=0-9", "If-Range": '"older"'})
    assert (stale.status_code, stale.content) == (200, SEGMENT)
    weak = world.public(public_video, SEGMENT_PATH, headers={"Range": "bytes=0-9", "If-Range": f"W/{etag}"})
    assert weak.status_code == 200  # If-Range compares strongly


def test_a_body_longer_than_a_chunk_streams_whole_and_in_ranges(
    world: World, public_video: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "CHUNK_BYTES", 100)
    whole = world.public(public_video, SEGMENT_PATH)
    assert (whole.status_code, whole.content) == (200, SEGMENT)
    part = world.public(public_video, SEGMENT_PATH, headers={"Range": "bytes=150-849"})
    assert (part.status_code, part.content) == (206, SEGMENT[150:850])


def test_head_answers_the_headers_without_the_body(world: World, public_video: str) -> None:
    url = f"/v1/media/{world.folder(public_video)}/{SEGMENT_PATH}"
    whole = world.get(url, method="HEAD")
    assert (whole.status_code, whole.content) == (200, b"")
    assert whole.headers["content-length"] == "1024"
    assert whole.headers["etag"] == world.get(url).headers["etag"]
    assert whole.headers["content-type"] == "video/iso.segment"
    part = world.get(url, method="HEAD", headers={"Range": "bytes=10-19"})
    assert (part.status_code, part.content) == (206, b"")
    assert (part.headers["content-range"], part.headers["content-length"]) == ("bytes 10-19/1024", "10")


def test_a_missing_object_or_an_unknown_kind_of_file_is_404(world: World, public_video: str) -> None:
    world.storage.put_bytes(f"{world.folder(public_video)}/notes.txt", b"not media")
    for name in ("720p/seg-00002.m4s", "notes.txt", "720p"):
        response = world.public(public_video, name)
        assert response.status_code == 404, name
        assert response.headers["content-type"] == "application/problem+json"


def test_sources_are_never_served(world: World, ann: User, public_video: str) -> None:
    sources = world.storage.keys(f"sources/{public_video}")
    assert len(sources) == 1
    source = sources[0]
    token = signing.sign(public_video, ann.user_id, FAR, KEY)
    attempts = [
        f"/v1/media/{source}",
        f"/v1/media/videos/{public_video}/..%2F..%2F{source.replace('/', '%2F')}",
        f"/v1/media/videos/{public_video}/../../{source}",
        f"/v1/media/s/{token}/{source}",
        f"/v1/media/s/{token}/videos/{public_video}/..%2F..%2F{source.replace('/', '%2F')}",
    ]
    for url in attempts:
        response = world.get(url, ann)
        assert response.status_code == 404, url
        assert b"the original upload" not in response.content


def test_without_media_configured_delivery_is_unavailable(tmp_path: Path) -> None:
    bare = World(tmp_path, with_media=False)
    try:
        response = bare.get(f"/v1/media/videos/{uuid7()}/x/master.m3u8")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
    finally:
        bare.close()


# -- the public path refuses what is not public -----------------------------------------------------


def refused_publicly(world: World, video_id: str) -> None:
    for name in ("master.m3u8", SEGMENT_PATH, "poster.jpg"):
        response = world.public(video_id, name)
        assert response.status_code == 404, name
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "no such media"


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.FOLLOWERS])
def test_a_video_that_is_not_public_reads_as_absent_on_the_public_path(
    world: World, ann: User, visibility: Visibility
) -> None:
    refused_publicly(world, world.video(ann, visibility))


def test_a_draft_reads_as_absent_on_the_public_path(world: World, ann: User) -> None:
    video_id = world.processed(ann)
    world.project()
    world.stock(video_id)
    refused_publicly(world, video_id)


@pytest.mark.parametrize(
    "undo",
    [("POST", "unpublish"), ("POST", "hide"), ("DELETE", "")],
    ids=["unpublished", "hidden", "deleted"],
)
def test_a_video_no_longer_listed_reads_as_absent_on_the_public_path(
    world: World, ann: User, undo: tuple[str, str]
) -> None:
    # Given a public video whose objects stay in storage
    mod = world.system.register("mod", Role.MODERATOR)
    video_id = world.processed(ann)
    world.act("POST", f"/v1/videos/{video_id}/publish", ann, caption="clip")
    world.project()
    folder = world.folder(video_id)
    world.stock(video_id)
    # When it is unpublished, hidden or deleted
    method, action = undo
    actor = mod if action == "hide" else ann
    body = {"reason": "spam"} if action == "hide" else {}
    world.act(method, f"/v1/videos/{video_id}/{action}".rstrip("/"), actor, **body)
    world.project()
    # Then its media is not served publicly
    response = world.get(f"/v1/media/{folder}/master.m3u8")
    assert response.status_code == 404


def test_a_video_made_private_is_refused_once_the_remembered_answer_expires(
    world: World, ann: User, public_video: str
) -> None:
    # Given the public path remembers, on a clock the test moves, that the video is public
    now = [100.0]
    world.system.app.state.public_videos = delivery.RecentAnswers(ttl_s=5, clock=lambda: now[0])
    assert world.public(public_video, "master.m3u8").status_code == 200
    # When the owner makes it private
    world.act(
        "PUT",
        f"/v1/videos/{public_video}",
        ann,
        caption="clip",
        hashtags=[],
        visibility="private",
        comments_allowed=True,
    )
    world.project()
    # Then it is still served while the answer is remembered, and refused after
    assert world.public(public_video, "master.m3u8").status_code == 200
    now[0] += 5
    assert world.public(public_video, "master.m3u8").status_code == 404


def test_remembered_answers_are_bounded() -> None:
    cache = delivery.RecentAnswers(ttl_s=5, capacity=2, clock=lambda: 0.0)
    for video_id, public in (("a", True), ("b", False), ("c", True)):
        cache.put(video_id, public)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, False, True)


# -- signed links --------------------------------------------------------------------------------------


def test_the_owner_of_a_private_video_plays_it_through_signed_links(world: World, ann: User) -> None:
    video_id = world.video(ann, Visibility.PRIVATE)
    for name in OBJECTS:
        response = world.get(world.signed(video_id, ann, name), ann)
        assert (response.status_code, response.content) == (200, OBJECTS[name]), name


def test_a_follower_plays_a_followers_only_video_and_others_are_refused(world: World, ann: User) -> None:
    # Given a followers-only video, a follower, and someone else holding the follower's link
    fan, other = world.system.register("fan"), world.system.register("other")
    world.act("PUT", f"/v1/users/{ann.user_id}/follow", fan)
    video_id = world.video(ann, Visibility.FOLLOWERS)
    link = world.signed(video_id, fan, SEGMENT_PATH)
    # Then the follower plays it, with byte ranges too
    assert world.get(link, fan).content == SEGMENT
    part = world.get(link, fan, headers={"Range": "bytes=-4"})
    assert (part.status_code, part.content) == (206, SEGMENT[-4:])
    # And the link does not play for anyone else, nor without credentials
    refused = world.get(link, other)
    assert (refused.status_code, refused.json()["detail"]) == (403, "the link was made for another user")
    anonymous = world.get(link)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"


def signed_url(folder: str, token: str, name: str = SEGMENT_PATH) -> str:
    return f"/v1/media/s/{token}/{folder}/{name}"


def test_an_expired_link_is_refused(world: World, ann: User) -> None:
    video_id = world.video(ann, Visibility.PRIVATE)
    token = signing.sign(video_id, ann.user_id, 1_000_000, KEY)
    response = world.get(signed_url(world.folder(video_id), token), ann)
    assert (response.status_code, response.json()["detail"]) == (403, "the link expired")


def test_a_tampered_link_or_one_for_another_video_is_refused(world: World, ann: User) -> None:
    # Given two private videos of ann's and a valid link to the first
    first, second = world.video(ann, Visibility.PRIVATE), world.video(ann, Visibility.PRIVATE)
    token = signing.sign(first, ann.user_id, FAR, KEY)
    user, expires_at, signature = token.split(".")
    forged_user = signing.sign(first, "x" * 36, FAR, KEY).split(".")[0]
    attempts = [
        signed_url(world.folder(second), token),  # another video
        signed_url(world.folder(first), f"{user}.{FAR + 1}.{signature}"),  # a longer life
        signed_url(world.folder(first), f"{forged_user}.{expires_at}.{signature}"),
        signed_url(world.folder(first), signing.sign(first, ann.user_id, FAR, b"z" * 32)),
        signed_url(world.folder(first), "garbage"),
    ]
    # Then each is refused as not valid, even to the user it names
    for url in attempts:
        response = world.get(url, ann)
        assert (response.status_code, response.json()["detail"]) == (403, "the link is not valid"), url
    assert world.get(signed_url(world.folder(first), token), ann).status_code == 200


def test_a_moderator_plays_a_hidden_video_through_a_link_of_their_own(world: World, ann: User) -> None:
    mod = world.system.register("mod", Role.MODERATOR)
    video_id = world.video(ann)
    world.act("POST", f"/v1/videos/{video_id}/hide", mod, reason="check")
    world.project()
    link = world.signed(video_id, mod, "master.m3u8")
    assert mod.user_id in link
    assert world.get(link, mod).content == MASTER
    assert world.get(link, ann).status_code == 403


# -- playback URLs in the video's details --------------------------------------------------------------


def test_a_public_videos_card_carries_plain_urls_that_play(
    world: World, ann: User, public_video: str
) -> None:
    # When anyone reads the card
    playback = world.playback(public_video)
    # Then its URLs are the public paths of the card's media keys, with no expiry
    folder = world.folder(public_video)
    assert playback == {
        "master_playlist": f"/v1/media/{folder}/master.m3u8",
        "poster": f"/v1/media/{folder}/poster.jpg",
        "thumbnails": f"/v1/media/{folder}/thumbs.vtt",
        "expires_at": None,
    }
    # And a player following the playlists' relative references finds every object
    variant = urljoin(playback["master_playlist"], "720p/index.m3u8")
    assert world.get(variant).content == OBJECTS["720p/index.m3u8"]
    assert world.get(urljoin(variant, "seg-00001.m4s")).content == SEGMENT
    assert world.get(urljoin(playback["thumbnails"], "thumbs.jpg")).content == OBJECTS["thumbs.jpg"]


def test_a_follower_sees_links_signed_for_them_that_expire_after_the_ttl(world: World, ann: User) -> None:
    # Given a followers-only video and a follower
    fan = world.system.register("fan")
    world.act("PUT", f"/v1/users/{ann.user_id}/follow", fan)
    video_id = world.video(ann, Visibility.FOLLOWERS)
    before = delivery.wall_clock()
    # When the follower reads the card
    playback = world.playback(video_id, fan)
    # Then every URL is on the signed path, with a token made for the follower
    token = urlsplit(playback["master_playlist"]).path.split("/")[4]
    assert signing.verify(token, video_id, KEY, before) == fan.user_id
    folder = world.folder(video_id)
    assert playback["master_playlist"] == f"/v1/media/s/{token}/{folder}/master.m3u8"
    assert playback["poster"] == f"/v1/media/s/{token}/{folder}/poster.jpg"
    assert playback["thumbnails"] == f"/v1/media/s/{token}/{folder}/thumbs.vtt"
    # And they expire an hour or a little more from now
    expires_at = unix(playback["expires_at"])
    assert before + 3600 <= expires_at <= before + 3600 + 900 + 5
    assert int(token.split(".")[1]) == expires_at
    # And the master URL plays for the follower
    assert world.get(playback["master_playlist"], fan).content == MASTER


def unix(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def test_a_card_before_processing_has_no_playback_urls(world: World, ann: User) -> None:
    created = world.client.post("/v1/videos", headers=ann.auth)
    assert created.status_code == 201, created.text
    video_id = created.json()["video_id"]
    world.project()
    assert world.playback(video_id, ann) == {
        "master_playlist": None,
        "poster": None,
        "thumbnails": None,
        "expires_at": None,
    }


def test_the_cards_etag_holds_while_its_links_do_and_changes_when_they_are_renewed(
    world: World, ann: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a private video's card read by its owner at a fixed time
    video_id = world.video(ann, Visibility.PRIVATE)
    now = [delivery.wall_clock()]
    monkeypatch.setattr(delivery, "wall_clock", lambda: now[0])
    first = world.get(f"/v1/videos/{video_id}", ann)
    etag = first.headers["etag"]
    # When it is asked for again a moment later, the links are the same: 304
    now[0] += 1
    again = world.get(f"/v1/videos/{video_id}", ann, headers={"If-None-Match": etag})
    assert again.status_code == 304
    # And once the links are renewed, the card is new
    now[0] += 3600
    renewed = world.get(f"/v1/videos/{video_id}", ann, headers={"If-None-Match": etag})
    assert renewed.status_code == 200
    assert renewed.headers["etag"] != etag
    old, new = first.json()["playback"], renewed.json()["playback"]
    assert new["master_playlist"] != old["master_playlist"]
    assert new["expires_at"] > old["expires_at"]


def test_link_expiry_is_at_least_the_ttl_away_and_steady_within_a_quarter_of_it() -> None:
    assert delivery.link_expiry(1_000.0, 3600) == 5_400  # 4600 rounded up to a multiple of 900
    assert delivery.link_expiry(1_800.0, 3600) == 5_400
    assert delivery.link_expiry(1_800.5, 3600) == 6_300
    assert delivery.link_expiry(10.2, 1) == 12


@pytest.mark.parametrize(
    "revoke",
    ["unfollow", "block", "delete", "hide"],
)
def test_a_signed_link_stops_playing_once_its_viewer_may_no_longer_see_the_video(
    world: World, ann: User, revoke: str
) -> None:
    # Given a follower playing a followers-only video through their signed link
    now = [100.0]
    world.system.app.state.signed_answers = delivery.RecentAnswers(ttl_s=5, clock=lambda: now[0])
    fan, mod = world.system.register("fan"), world.system.register("mod", Role.MODERATOR)
    world.act("PUT", f"/v1/users/{ann.user_id}/follow", fan)
    video_id = world.video(ann, Visibility.FOLLOWERS)
    master, segment = world.signed(video_id, fan, "master.m3u8"), world.signed(video_id, fan, SEGMENT_PATH)
    assert (world.get(master, fan).status_code, world.get(segment, fan).status_code) == (200, 200)
    # When the follow ends, the owner blocks them, or the video is deleted or hidden
    action = {
        "unfollow": ("DELETE", f"/v1/users/{ann.user_id}/follow", fan, {}),
        "block": ("PUT", f"/v1/users/{fan.user_id}/block", ann, {}),
        "delete": ("DELETE", f"/v1/videos/{video_id}", ann, {}),
        "hide": ("POST", f"/v1/videos/{video_id}/hide", mod, {"reason": "spam"}),
    }[revoke]
    method, path, actor, body = action
    world.act(method, path, actor, **body)
    world.project()
    # Then segments play on only while the last answer is remembered (a few seconds)
    assert world.get(segment, fan).status_code == 200
    now[0] += 5
    assert world.get(segment, fan).status_code == 404
    # And the next playlist is refused whatever is remembered
    now[0] -= 5
    assert world.get(master, fan).status_code == 404
