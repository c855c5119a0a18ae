"""Media delivery shaped for a CDN: the renditions, playlists, posters, thumbnails and caption tracks
of processed videos, never their sources.

Two paths serve the same objects (``videos/<video_id>/...`` in media storage):

- ``/v1/media/videos/<video_id>/...`` for public, published, listed videos: anyone, and any shared
  cache. What a video is allowed is remembered for a few seconds, so a player fetching segment after
  segment does not ask the read store each time.
- ``/v1/media/s/<token>/videos/<video_id>/...`` for everything else: a signed, expiring link
  (``media.signing``) made for one user, who must also send their bearer token, so a leaked link
  does not play for someone else. Only the user's own cache may keep these answers. The link alone
  is not enough: the access policy is asked again, on every playlist fetch and, for segments and
  images, at most ``SIGNED_RECHECK_S`` after it last answered. So a viewer who is blocked, who
  unfollows, or whose video is deleted or hidden stops getting playlists at once, and everything
  else within seconds, whatever the link's expiry.

Profile pictures have a path of their own, ``/v1/media/avatars/<user_id>/<picture>/<size>.webp``:
anyone may fetch the picture a profile shows now, unless its holder was erased, is suspended (but
to them and moderators) or blocked the caller (when the caller sends their bearer token). A picture
replaced or removed reads as absent at once, and its files go soon after. Each picture has a key of
its own, so it never changes under its URL; it is cached for an hour, so a suspension or erasure
reaches shared caches within that.

Playlists refer to their children by relative URLs, so a link's token, sitting in the path, reaches
every playlist, init segment and media segment below it. Segments, init segments, posters and
thumbnails never change under their key (a new upload gets a new folder): they are cached for a
year as immutable. Playlists are cached briefly. Every answer has a strong ETag and honours
``If-None-Match``, a single byte ``Range`` and ``If-Range``; ``HEAD`` answers the same headers
(left out of the OpenAPI document, where it would only repeat ``GET``).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi import Request as HttpRequest
from pydantic import BaseModel, Field
from starlette.responses import Response, StreamingResponse

from api.deps import AppStateDep, CurrentActor, IdPath, optional_actor
from api.problems import Problem, problems
from api.reading import PolicyDep, query
from api.state import Media
from domain.accounts.rules import own_avatar, own_avatar_id
from domain.actors import Actor
from media import images, keys, signing
from media.storage import InvalidKey, MediaNotFound, MediaStorage, ObjectInfo, check_key
from read_models import profiles
from read_models import video_details as model
from services.access import AccessPolicy

router = APIRouter(prefix="/v1/media", tags=["media"])
PREFIX = "/v1/media"

TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".vtt": "text/vtt",
}
PLAYLIST = ".m3u8"
IMMUTABLE_MAX_AGE_S = 31_536_000
PLAYLIST_MAX_AGE_S = 10
AVATAR_MAX_AGE_S = 3600
SIGNED_RECHECK_S = 5.0
CHUNK_BYTES = 1 << 20
SINGLE_RANGE = re.compile(r"bytes=([0-9]{0,19})-([0-9]{0,19})")

#: Read through the module so tests can stand the clock still; links are Unix-time based.
wall_clock: Callable[[], float] = time.time

Rest = Annotated[str, Path(max_length=400, description="The object's path below the video's folder")]
Token = Annotated[str, Path(max_length=256, description="From the video's playback URLs")]
AvatarId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{15,63}$", description="From avatar_url")]
AvatarFile = Annotated[
    str, Path(pattern=rf"^({'|'.join(str(s) for s in images.SIZES)})\.webp$", description="The size")
]
Viewer = Annotated[Actor | None, Depends(optional_actor)]


class RecentAnswers:
    """The access policy's recent answers (by video on the public path, by viewer and video on the
    signed one), each kept ``ttl_s`` seconds, so a player fetching segment after segment does not ask
    the read store each time. Bounded: past ``capacity`` the oldest answer goes. A video made private
    is therefore still served for at most ``ttl_s``, as a CDN would anyway."""

    def __init__(
        self, ttl_s: float = 5.0, capacity: int = 4096, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.capacity = capacity
        self._clock = clock
        self._answers: OrderedDict[str, tuple[float, bool]] = OrderedDict()  # oldest first

    def get(self, key: str) -> bool | None:
        answer = self._answers.get(key)
        if answer is None or answer[0] <= self._clock():
            return None
        return answer[1]

    def put(self, key: str, allowed: bool) -> None:
        self._answers.pop(key, None)
        while len(self._answers) >= self.capacity:
            self._answers.popitem(last=False)
        self._answers[key] = (self._clock() + self.ttl_s, allowed)


async def media_config(state: AppStateDep) -> Media:
    if state.media is None:
        raise Problem(503, "this process serves no media", headers={"Retry-After": "5"})
    return state.media


async def public_videos(http: HttpRequest) -> RecentAnswers:
    """One per app, made on first use."""
    cache: RecentAnswers | None = getattr(http.app.state, "public_videos", None)
    if cache is None:
        cache = http.app.state.public_videos = RecentAnswers()
    return cache


async def signed_answers(http: HttpRequest) -> RecentAnswers:
    """One per app, made on first use."""
    cache: RecentAnswers | None = getattr(http.app.state, "signed_answers", None)
    if cache is None:
        cache = http.app.state.signed_answers = RecentAnswers(ttl_s=SIGNED_RECHECK_S, capacity=65_536)
    return cache


MediaDep = Annotated[Media, Depends(media_config)]
PublicVideosDep = Annotated[RecentAnswers, Depends(public_videos)]
SignedAnswersDep = Annotated[RecentAnswers, Depends(signed_answers)]

_SERVED: dict[int | str, dict[str, Any]] = {
    200: {"description": "The object (streamed)"},
    206: {"description": "The byte range asked for"},
    304: {"description": "Unchanged since the ETag given in If-None-Match"},
}


@router.head("/videos/{video_id}/{rest:path}", response_class=Response, include_in_schema=False)
@router.get(
    "/videos/{video_id}/{rest:path}",
    response_class=Response,
    summary="A public video's playlist, segment, poster or thumbnails",
    responses={
        **_SERVED,
        **problems(s404="No such object, or the video is not public", s416="The range is past the end"),
    },
)
async def public_media(
    video_id: IdPath,
    rest: Rest,
    http: HttpRequest,
    media: MediaDep,
    policy: PolicyDep,
    cache: PublicVideosDep,
) -> Response:
    """No credentials needed; anything but a public, published, listed video of an owner who is not
    suspended reads as absent."""
    public = cache.get(video_id)
    if public is None:
        card = await query(model.MODEL, lambda: model.video_card(policy.store, video_id))
        public = card is not None and await query(model.MODEL, lambda: policy.public(card))
        cache.put(video_id, public)
    if not public:
        raise Problem(404, "no such media")
    return await _serve(http, media.storage, f"videos/{video_id}/{rest}", "public")


@router.head("/s/{token}/videos/{video_id}/{rest:path}", response_class=Response, include_in_schema=False)
@router.get(
    "/s/{token}/videos/{video_id}/{rest:path}",
    response_class=Response,
    summary="A video's media through a signed, expiring link",
    responses={
        **_SERVED,
        **problems(
            s401="No bearer token",
            s403="The link is not valid, expired, or was made for another user",
            s404="No such object, or the caller may no longer see the video",
            s416="The range is past the end",
        ),
    },
)
async def signed_media(
    token: Token,
    video_id: IdPath,
    rest: Rest,
    http: HttpRequest,
    media: MediaDep,
    actor: CurrentActor,
    policy: PolicyDep,
    answers: SignedAnswersDep,
) -> Response:
    """For the user the link was made for, until it expires, while they may still see the video."""
    user_id = signing.verify(token, video_id, media.signing_key, wall_clock())
    if actor.user_id != user_id:
        raise Problem(403, "the link was made for another user")
    if not await _still_allowed(policy, answers, actor, video_id, playlist=rest.endswith(PLAYLIST)):
        raise Problem(404, "no such media")
    return await _serve(http, media.storage, f"videos/{video_id}/{rest}", "private")


async def _still_allowed(
    policy: AccessPolicy, answers: RecentAnswers, viewer: Actor, video_id: str, *, playlist: bool
) -> bool:
    """Asks the policy for every playlist; segments and images may use an answer a few seconds old."""
    key = f"{viewer.user_id}\x1f{video_id}"
    allowed = None if playlist else answers.get(key)
    if allowed is None:
        allowed = await query(model.MODEL, lambda: policy.media(video_id, viewer))
        answers.put(key, allowed)
    return allowed


@router.head("/avatars/{user_id}/{avatar_id}/{name}", response_class=Response, include_in_schema=False)
@router.get(
    "/avatars/{user_id}/{avatar_id}/{name}",
    response_class=Response,
    summary="A profile picture",
    responses={
        **_SERVED,
        **problems(s404="No such picture, or not one the caller may see", s416="The range is past the end"),
    },
)
async def avatar_media(
    user_id: IdPath,
    avatar_id: AvatarId,
    name: AvatarFile,
    http: HttpRequest,
    media: MediaDep,
    policy: PolicyDep,
    viewer: Viewer,
) -> Response:
    """The picture a profile shows now, from its ``avatar_url``. No credentials needed; a bearer
    token lets the access policy judge the caller too (a holder who blocked them)."""
    if not await query(profiles.MODEL, lambda: policy.avatar(user_id, own_avatar(avatar_id), viewer)):
        raise Problem(404, "no such media")
    key = f"{keys.avatar(user_id, avatar_id)}/{name}"
    audience = "public" if viewer is None else "private"
    answer = await _serve(http, media.storage, key, audience, max_age_s=AVATAR_MAX_AGE_S)
    answer.headers["Vary"] = "Authorization"
    return answer


# -- serving ---------------------------------------------------------------------------------------


async def _serve(
    http: HttpRequest, storage: MediaStorage, key: str, audience: str, *, max_age_s: int = IMMUTABLE_MAX_AGE_S
) -> Response:
    suffix = PurePosixPath(key).suffix
    media_type = TYPES.get(suffix)
    try:
        if media_type is None:
            raise MediaNotFound(key)
        info = await asyncio.to_thread(storage.stat, check_key(key))
    except (InvalidKey, MediaNotFound):
        raise Problem(404, "no such media") from None
    cache = _cache_control(suffix, audience, max_age_s)
    headers = {"ETag": info.etag, "Cache-Control": cache, "Accept-Ranges": "bytes"}
    if _matches(http.headers.get("if-none-match"), info.etag):
        return Response(status_code=304, headers=headers)
    span = _span(http.headers.get("range"), http.headers.get("if-range"), info)
    start, end = span or (0, info.size)
    if span is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{info.size}"
    headers["Content-Length"] = str(end - start)
    status = 200 if span is None else 206
    if http.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    chunks = _chunks(storage, key, start, end)
    return StreamingResponse(chunks, status_code=status, headers=headers, media_type=media_type)


def _cache_control(suffix: str, audience: str, max_age_s: int) -> str:
    if suffix == PLAYLIST:
        return f"{audience}, max-age={PLAYLIST_MAX_AGE_S}"
    return f"{audience}, max-age={max_age_s}, immutable"


def _matches(if_none_match: str | None, etag: str) -> bool:
    """The weak comparison RFC 9110 prescribes for ``If-None-Match``."""
    tags = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",") if t.strip()}
    return "*" in tags or etag in tags


def _span(range_header: str | None, if_range: str | None, info: ObjectInfo) -> tuple[int, int] | None:
    """The one byte range asked for as ``(start, end)``, end exclusive; ``None`` for the whole
    object: no ``Range``, an ``If-Range`` naming another version, several ranges, or a header we
    do not understand (RFC 9110 lets a server ignore those). 416 when nothing of it exists."""
    if range_header is None or (if_range is not None and if_range.strip() != info.etag):
        return None
    found = SINGLE_RANGE.fullmatch(range_header.strip())
    if found is None or found.groups() == ("", ""):
        return None
    first, last = found.groups()
    if first == "":
        start, end = max(0, info.size - int(last)), info.size
    else:
        start = int(first)
        if last != "" and int(last) < start:
            return None
        end = info.size if last == "" else int(last) + 1
    if start >= info.size:
        raise Problem(416, "the range is past the end", headers={"Content-Range": f"bytes */{info.size}"})
    return start, min(end, info.size)


def _chunks(storage: MediaStorage, key: str, start: int, end: int) -> Iterator[bytes]:
    """The bytes a megabyte at a time, so a large rendition never sits in memory whole."""
    position = start
    while position < end:
        data = storage.read(key, position, min(position + CHUNK_BYTES, end))
        if not data:
            return
        yield data
        position += len(data)


# -- playback URLs ---------------------------------------------------------------------------------


class Playback(BaseModel):
    """Where a player fetches the video; each URL is ``None`` until processing produced its object."""

    master_playlist: str | None = Field(description="The HLS master playlist's URL")
    poster: str | None = Field(description="The poster image's URL")
    thumbnails: str | None = Field(description="The thumbnail strip's WebVTT URL")
    expires_at: datetime | None = Field(description="When the signed URLs stop working; None: public URLs")


NO_PLAYBACK = Playback(master_playlist=None, poster=None, thumbnails=None, expires_at=None)


def playback(
    card: model.VideoCard, viewer: Actor | None, media: Media | None, now: float, *, public: bool
) -> Playback:
    """Public URLs for a video the public path serves (``public``, as ``AccessPolicy.public`` says);
    otherwise URLs signed for ``viewer`` (who may see the card: the owner, a follower, a moderator)."""
    keys = (card.master_playlist, card.poster, card.thumbnails)
    if media is None or not any(_servable(card.video_id, key) for key in keys):
        return NO_PLAYBACK
    if public:
        urls = [_url(card.video_id, key, PREFIX) for key in keys]
        return Playback(master_playlist=urls[0], poster=urls[1], thumbnails=urls[2], expires_at=None)
    if viewer is None:
        return NO_PLAYBACK
    expires_at = link_expiry(now, media.url_ttl_s)
    token = signing.sign(card.video_id, viewer.user_id, expires_at, media.signing_key)
    urls = [_url(card.video_id, key, f"{PREFIX}/s/{token}") for key in keys]
    expiry = datetime.fromtimestamp(expires_at, UTC)
    return Playback(master_playlist=urls[0], poster=urls[1], thumbnails=urls[2], expires_at=expiry)


def avatar_urls(user_id: str, avatar_url: str | None) -> tuple[str | None, str | None]:
    """A profile's avatar as clients fetch it, large and small: a picture uploaded to Strom through
    the avatar path above, an address as its holder gave it (the same for both)."""
    avatar_id = own_avatar_id(avatar_url)
    if avatar_id is None:
        return avatar_url, avatar_url
    base = f"{PREFIX}/{keys.avatar(user_id, avatar_id)}"
    return f"{base}/{max(images.SIZES)}.webp", f"{base}/{min(images.SIZES)}.webp"


def media_url(
    card: model.VideoCard, key: str, viewer: Actor | None, media: Media | None, now: float, *, public: bool
) -> str | None:
    """One more of the video's objects (a caption track), by the rule ``playback`` follows: public,
    or signed for ``viewer``, with the same expiry, so the link stays the same as long as they do."""
    if media is None or not _servable(card.video_id, key):
        return None
    if public:
        return _url(card.video_id, key, PREFIX)
    if viewer is None:
        return None
    expires_at = link_expiry(now, media.url_ttl_s)
    token = signing.sign(card.video_id, viewer.user_id, expires_at, media.signing_key)
    return _url(card.video_id, key, f"{PREFIX}/s/{token}")


def link_expiry(now: float, ttl_s: int) -> int:
    """At least ``ttl_s`` from ``now``, rounded up to a quarter of it. The same links are handed out
    for a while, so the card's ETag still matches (304) and a player's cache, keyed by URL, keeps
    the segments it holds."""
    step = max(1, ttl_s // 4)
    return math.ceil((now + ttl_s) / step) * step


def _servable(video_id: str, key: str | None) -> bool:
    return key is not None and key.startswith(f"videos/{video_id}/")


def _url(video_id: str, key: str | None, base: str) -> str | None:
    return f"{base}/{key}" if key is not None and _servable(video_id, key) else None
