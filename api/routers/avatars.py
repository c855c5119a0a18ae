"""The signed-in user's profile picture: upload one, or remove it.

The picture is the request body itself (JPEG, PNG or WebP), at most ``MAX_BYTES``; what it is comes
from its bytes, whatever ``Content-Type`` says (``media.images``). It is streamed to a private
temporary file and refused (413) as soon as it passes the limit, whatever ``Content-Length`` said.
Problems: 413 too large, 415 not a JPEG, PNG or WebP, 422 one that cannot be decoded, is animated,
or has too many pixels (a decompression bomb) or too few.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.commanding import run
from api.deps import AppStateDep, CommandRequest
from api.problems import Problem, problems
from api.responses import JSONBytes
from api.routers.media import MediaDep, avatar_urls
from domain.accounts.rules import own_avatar
from media.images import BadImage, ImageLimits, ImageTooLarge, NotAnImage
from services.avatars import Avatars

router = APIRouter(prefix="/v1/me", tags=["accounts"])

LIMITS = ImageLimits()
MAX_BYTES = LIMITS.max_bytes
_TOO_LARGE = f"the picture is over {MAX_BYTES // (1024 * 1024)} MB"
_PICTURE = {"schema": {"type": "string", "format": "binary"}}
_BODY = {
    "requestBody": {
        "required": True,
        "description": f"The picture's bytes: a JPEG, PNG or WebP of at most {MAX_BYTES} bytes",
        "content": dict.fromkeys(("image/jpeg", "image/png", "image/webp"), _PICTURE),
    }
}


class AvatarPublic(BaseModel):
    avatar_url: str | None = Field(description="The profile's picture, 320 pixels square; null: none")
    avatar_small_url: str | None = Field(description="The same, 96 pixels square")
    position: int = Field(description="Global position of the last event; pass as min_position to read it")


class _Received(BaseModel):
    """What an Idempotency-Key's retry must match: the same bytes."""

    sha256: str


@router.post(
    "/avatar",
    response_model=AvatarPublic,
    status_code=201,
    summary="Upload your profile picture",
    openapi_extra=_BODY,
    responses=problems(
        s403="A restriction or suspension: you may not upload now",
        s409="The account was erased",
        s413=_TOO_LARGE,
        s415="Not a JPEG, PNG or WebP picture",
        s422="A picture that cannot be decoded, is animated, or has too many pixels or too few",
    ),
)
async def upload_avatar(
    http: HttpRequest, state: AppStateDep, request: CommandRequest, media: MediaDep
) -> JSONBytes:
    """Made into square pictures (320 and 96 pixels) with no metadata of the upload, and shown on
    your profile from now on; the picture it replaces is deleted. Answers the new picture's URLs."""
    declared = http.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise Problem(413, _TOO_LARGE)
    service = Avatars(state.ports, media.storage, LIMITS)
    user_id = request.actor.user_id
    with tempfile.TemporaryDirectory(prefix="strom-avatar-upload-") as folder:
        source = Path(folder) / "upload"
        received = await _receive(http, source)

        def action() -> BaseModel:
            try:
                uploaded = service.upload(source, request)
            except ImageTooLarge as refused:
                raise Problem(413, refused.reason) from None
            except NotAnImage as refused:
                raise Problem(415, refused.reason) from None
            except BadImage as refused:
                raise Problem(422, refused.reason) from None
            large, small = avatar_urls(user_id, own_avatar(uploaded.avatar_id))
            return AvatarPublic(avatar_url=large, avatar_small_url=small, position=uploaded.position)

        return await run_in_threadpool(run, state, http, request, received, action, 201)


@router.delete(
    "/avatar",
    response_model=AvatarPublic,
    summary="Remove your profile picture",
    responses=problems(s409="The account was erased"),
)
def remove_avatar(
    state: AppStateDep, http: HttpRequest, request: CommandRequest, media: MediaDep
) -> JSONBytes:
    """Removes the picture you uploaded, or the address you gave; with none, nothing changes."""
    service = Avatars(state.ports, media.storage, LIMITS)

    def action() -> BaseModel:
        outcome = service.remove(request)
        return AvatarPublic(avatar_url=None, avatar_small_url=None, position=outcome.position)

    return run(state, http, request, None, action)


async def _receive(http: HttpRequest, target: Path) -> _Received:
    """The body into ``target``, refused once past ``MAX_BYTES``; its digest, for idempotent retries."""
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        async for chunk in http.stream():
            size += len(chunk)
            if size > MAX_BYTES:
                raise Problem(413, _TOO_LARGE)
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise Problem(415, "send the picture's bytes as the request body")
    return _Received(sha256=digest.hexdigest())
