"""Caption tracks (subtitles): the owner puts a WebVTT file per language, or removes it.

The file is read and re-written by Strom (``services.captions``, ``media.webvtt``): only cue timings,
text, italics and bold are kept, and what players fetch is that copy, through the media routes, as
the video's other media and under the same access policy. The video's details list its tracks.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi import Request as HttpRequest
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.commanding import run
from api.deps import AppStateDep, CommandRequest, IdPath
from api.problems import Problem, problems
from api.responses import JSONBytes
from api.state import AppState
from commands import captions as handlers
from domain import videos
from domain.videos.rules import MAX_LANGUAGE_TAG, valid_language_tag
from media import webvtt
from services.captions import Captions

router = APIRouter(prefix="/v1/videos", tags=["captions"])

VTT = "text/vtt"
#: Larger than the API's usual cap on bodies: ``api.limits.LARGER_BODIES`` allows it this path.
MAX_BYTES = webvtt.LIMITS.max_bytes
POSITION = "Global position of the last event; pass as min_position to read it"

Lang = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_LANGUAGE_TAG,
        pattern=r"^[A-Za-z0-9-]+$",
        description="A BCP 47 language tag, e.g. en, pt-BR, zh-Hant",
        examples=["en"],
    ),
]


class CaptionTrackSaved(BaseModel):
    video_id: str
    lang: str = Field(description="The language tag in canonical case")
    cues: int = Field(description="Cues in the track as stored")
    position: int = Field(description=POSITION)


class CaptionTrackRemoved(BaseModel):
    video_id: str
    lang: str
    position: int = Field(description=POSITION)


class _Received(BaseModel):
    """What an Idempotency-Key's request is recognised by: the language and the file's digest."""

    lang: str
    sha256: str


@router.put(
    "/{video_id}/captions/{lang}",
    response_model=CaptionTrackSaved,
    summary="Add or replace a caption track (WebVTT)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": f"A WebVTT file, UTF-8, at most {MAX_BYTES // 1024} KB",
            "content": {VTT: {"schema": {"type": "string"}}},
        }
    },
    responses=problems(
        s404="No such video, or not the caller's",
        s409="The video is not processed yet, was deleted, or has as many tracks as it may",
        s413=f"The file is larger than {MAX_BYTES // 1024} KB",
        s415="Content-Type is not text/vtt (UTF-8)",
        s422="Not a BCP 47 tag, or not WebVTT captions that fit the video; detail names the line",
    ),
)
async def put_captions(
    video_id: IdPath,
    lang: Lang,
    state: AppStateDep,
    http: HttpRequest,
    request: CommandRequest,
) -> JSONBytes:
    """Only the owner, of a processed video. The file must be WebVTT: cues in order, none overlapping
    the one before, none ending past the video (a second of slack), at most 2000 cues of at most 500
    characters and 4 lines each. It is stored as Strom re-writes it: settings, identifiers, notes,
    styles and every tag but ``<i>`` and ``<b>`` are dropped. A track in the same language is
    replaced (its old file deleted soon after). With an Idempotency-Key a retry changes nothing."""
    _ensure_vtt(http.headers.get("content-type"))  # read here: the body's type is the body's to state
    data = await http.body()
    if len(data) > MAX_BYTES:
        raise Problem(413, f"a caption file is at most {MAX_BYTES // 1024} KB")
    captions = _captions(state)
    received = _Received(lang=lang, sha256=hashlib.sha256(data).hexdigest())

    def add() -> CaptionTrackSaved:
        added = captions.add(request, video_id, lang, data)
        return CaptionTrackSaved(
            video_id=video_id, lang=added.lang, cues=added.cues, position=added.outcome.position
        )

    return await run_in_threadpool(run, state, http, request, received, add)


@router.delete(
    "/{video_id}/captions/{lang}",
    response_model=CaptionTrackRemoved,
    summary="Remove a caption track",
    responses=problems(s404="No such video, not the caller's, or it has no track in that language"),
)
def delete_captions(
    video_id: IdPath, lang: Lang, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner. Its file is deleted from media storage soon after."""
    cmd = videos.RemoveCaptionTrack(request.actor, video_id, lang)

    def remove() -> CaptionTrackRemoved:
        outcome = handlers.remove_caption_track(cmd, ports=state.ports, request=request)
        tag = valid_language_tag(lang)
        return CaptionTrackRemoved(video_id=video_id, lang=tag, position=outcome.position)

    return run(state, http, request, None, remove)


def _ensure_vtt(content_type: str | None) -> None:
    """``text/vtt``, with no charset or UTF-8 (WebVTT is UTF-8 by definition)."""
    kind, _, params = (content_type or "").partition(";")
    charset = params.strip().lower().removeprefix("charset=").strip('"') if params.strip() else "utf-8"
    if kind.strip().lower() != VTT or charset not in ("utf-8", "utf8"):
        raise Problem(415, "send the captions as Content-Type: text/vtt (UTF-8)")


def _captions(state: AppState) -> Captions:
    if state.media is None:
        raise Problem(503, "this process stores no media", headers={"Retry-After": "5"})
    return Captions(state.ports, state.media.storage)
