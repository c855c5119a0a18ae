"""Resumable uploads over tus 1.0 (core, creation, termination, expiration), so stock tus clients
(tus-js-client, tuspy) upload a video and resume after a dropped connection.

The owner creates an upload for one of their drafts (``Upload-Metadata: video_id <base64>``), sends
its bytes with PATCH in as many requests as it takes, and learns the offset to resume from with
HEAD. The request that brings the last byte also gets the verdict: 204 with ``Strom-Position`` once
the video is probed and its upload recorded, or 422 with the reason the file is not a playable video.

What happens apart from HTTP, limits included, is the upload service's (``services/uploads.py``).
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Callable, Coroutine
from email.utils import formatdate
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi import Request as HttpRequest
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from api.deps import UUID_PATTERN, AppStateDep, CurrentActor
from api.problems import Problem, problem_response, problems
from api.state import AppState, Media
from commands.context import Request
from domain.actors import Actor
from media.tus import (
    BadMetadata,
    OffsetMismatch,
    PastLength,
    UploadBusy,
    UploadError,
    UploadInfo,
    UploadNotFound,
    UploadStore,
    encode_metadata,
    parse_metadata,
)
from services.uploads import OverCap, TooLarge, Uploads

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
OCTETS = "application/offset+octet-stream"
#: Bytes gathered from the body before each write to disk, made from a worker thread.
WRITE_BYTES = 1 << 20
VIDEO_ID = re.compile(UUID_PATTERN)

STATUS_OF: dict[type[UploadError], int] = {
    UploadNotFound: 404,
    UploadBusy: 409,
    OffsetMismatch: 409,
    PastLength: 413,
    BadMetadata: 400,
}

Handler = Callable[[HttpRequest], Coroutine[Any, Any, Response]]


class TusRoute(APIRoute):
    """Every answer carries ``Tus-Resumable``, problems included, and a request that does not say it
    speaks tus 1.0.0 is refused before anything else is looked at."""

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def tus_handler(request: HttpRequest) -> Response:
            try:
                _check_version(request)
                response = await handle(request)
            except UploadError as exc:
                status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 400)
                response = problem_response(status, str(exc), request)
            except Exception as exc:
                response = await _app_problem(request, exc)
            response.headers["Tus-Resumable"] = TUS_VERSION
            return response

        return tus_handler


def _check_version(request: HttpRequest) -> None:
    if request.method != "OPTIONS" and request.headers.get("tus-resumable") != TUS_VERSION:
        raise Problem(412, f"send 'Tus-Resumable: {TUS_VERSION}'", {"Tus-Version": TUS_VERSION})


async def _app_problem(request: HttpRequest, exc: Exception) -> Response:
    """The answer the app's own exception handlers give, so problems read as on every other route."""
    for cls in type(exc).__mro__:
        handler = request.app.exception_handlers.get(cls)
        if handler is not None:
            response = handler(request, exc)
            answer: Response = await response if inspect.isawaitable(response) else response
            return answer
    raise exc


router = APIRouter(prefix="/v1/uploads", tags=["uploads"], route_class=TusRoute)

#: tus headers are read as sent and refused with the protocol's own statuses (400, 415), not with
#: FastAPI's 422, so the document states them in ``openapi_extra`` rather than from these.
OptionalHeader = Annotated[str | None, Header(include_in_schema=False)]
DIGITS: dict[str, object] = {"type": "string", "pattern": "^[0-9]{1,19}$"}


def _tus_headers(**described: tuple[dict[str, object], str]) -> dict[str, object]:
    """``openapi_extra`` declaring required request headers: ``Upload_Length=(schema, text)``."""
    return {
        "parameters": [
            {
                "name": name.replace("_", "-"),
                "in": "header",
                "required": True,
                "schema": schema,
                "description": text,
            }
            for name, (schema, text) in described.items()
        ]
    }


def _media(state: AppState) -> Media:
    if state.media is None:
        raise Problem(503, "uploads are not set up on this server")
    return state.media


def _uploads(state: AppState) -> Uploads:
    return _media(state).uploads(state.ports, state.read_store)


def _open(
    uploads: Uploads, request: Request, video_id: str, length: int, metadata: dict[str, str]
) -> UploadInfo:
    try:
        return uploads.open(request, video_id, length, metadata)
    except OverCap as over:
        raise Problem(429, str(over), {"Retry-After": str(over.retry_after_s)}) from None


def _check_size(uploads: Uploads, length: int) -> None:
    try:
        uploads.check_size(length)
    except TooLarge as large:
        raise Problem(413, str(large), {"Tus-Max-Size": str(large.limit)}) from None


def _http_date(moment: float) -> str:
    return formatdate(moment, usegmt=True)


def _number(value: str | None, name: str) -> int:
    if value is None or not value.isdigit() or not value.isascii():
        raise Problem(400, f"send {name} as a whole number of bytes")
    return int(value)


def _owned(store: UploadStore, upload_id: str, actor: Actor) -> UploadInfo:
    """Another user's upload is as unknown as one that never was."""
    info = store.info(upload_id)
    if info.owner_id != actor.user_id:
        raise UploadNotFound(upload_id)
    if info.expired(time.time()):
        raise Problem(410, "the upload expired before it was finished; start a new one")
    return info


# -- routes ----------------------------------------------------------------------------------------


@router.options("", status_code=204, response_class=Response, summary="What this tus server supports")
def tus_options(state: AppStateDep) -> Response:
    headers = {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": TUS_EXTENSIONS,
        "Tus-Max-Size": str(_media(state).max_upload_bytes),
    }
    return Response(status_code=204, headers=headers)


@router.post(
    "",
    status_code=201,
    response_class=Response,
    summary="Create an upload for a draft (tus creation)",
    openapi_extra=_tus_headers(
        Upload_Length=(DIGITS, "The file's size in bytes, within Tus-Max-Size"),
        Upload_Metadata=({"type": "string"}, "'video_id <base64 id>' of a draft of yours; may add filename"),
    ),
    responses=problems(
        s400="Upload-Length or Upload-Metadata is missing or malformed",
        s412="Tus-Resumable is not 1.0.0",
        s413="Upload-Length is over Tus-Max-Size",
        s422="An empty file: it is not a video",
        s429="Too many uploads or transcodes of yours (or bytes on their way to the server) at once; "
        "see Retry-After",
    ),
)
def create_upload(
    state: AppStateDep,
    http: HttpRequest,
    actor: CurrentActor,
    upload_length: OptionalHeader = None,
    upload_defer_length: OptionalHeader = None,
    upload_metadata: OptionalHeader = None,
) -> Response:
    """``Upload-Length`` (the file's size, within ``Tus-Max-Size``) and ``Upload-Metadata`` with
    ``video_id``, a draft of the caller (``filename`` and ``filetype`` may come too). Answers with
    the upload's ``Location`` and when it expires; 429 while the caller has too many uploads open or
    videos waiting to be transcoded, or the server too many bytes on their way."""
    uploads = _uploads(state)
    state.limiter.check(actor.user_id)
    if upload_defer_length is not None:
        raise Problem(400, "Upload-Defer-Length is not supported: send Upload-Length with the file's size")
    length = _number(upload_length, "Upload-Length")
    _check_size(uploads, length)
    metadata = parse_metadata(upload_metadata or "")
    request = Request(actor)
    info = _open(uploads, request, _video_id(metadata), length, metadata)
    headers = {
        "Location": f"{str(http.base_url).rstrip('/')}{router.prefix}/{info.upload_id}",
        "Upload-Expires": _http_date(info.expires_at),
    }
    if info.complete:  # nothing to send: an empty file is judged at once
        with uploads.store.locked(info.upload_id) as upload:
            headers["Strom-Position"] = str(uploads.finish(request, upload).position)
    return Response(status_code=201, headers=headers)


def _video_id(metadata: dict[str, str]) -> str:
    video_id = metadata.get("video_id")
    if video_id is None:
        raise Problem(400, "Upload-Metadata must name the draft to upload into: 'video_id <base64 id>'")
    if not VIDEO_ID.fullmatch(video_id):
        raise Problem(400, "video_id in Upload-Metadata is not a video id")
    return video_id


@router.head("/{upload_id}", response_class=Response, summary="Where an upload stands (tus core)")
def upload_offset(upload_id: str, state: AppStateDep, actor: CurrentActor) -> Response:
    """The offset to resume from; 404 for an unknown upload or another user's, 410 once expired."""
    info = _owned(_uploads(state).store, upload_id, actor)
    headers = {
        "Upload-Offset": str(info.offset),
        "Upload-Length": str(info.length),
        "Upload-Expires": _http_date(info.expires_at),
        "Cache-Control": "no-store",
    }
    if info.metadata:
        headers["Upload-Metadata"] = encode_metadata(info.metadata)
    return Response(status_code=200, headers=headers)


@router.patch(
    "/{upload_id}",
    status_code=204,
    response_class=Response,
    summary="Send bytes of an upload (tus core)",
    openapi_extra={
        **_tus_headers(Upload_Offset=(DIGITS, "Where these bytes start: the offset HEAD answered")),
        "requestBody": {
            "required": True,
            "content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}},
        },
    },
    responses=problems(
        s409="Upload-Offset is not where the upload stands, or another request is sending bytes",
        s410="The upload expired",
        s413="The bytes go past Upload-Length",
        s415="Content-Type is not application/offset+octet-stream",
        s422="The finished file is not a playable video; detail says why",
    ),
)
async def upload_bytes(
    upload_id: str,
    state: AppStateDep,
    http: HttpRequest,
    actor: CurrentActor,
    content_type: OptionalHeader = None,
    content_length: OptionalHeader = None,
    upload_offset: OptionalHeader = None,
) -> Response:
    """The body is written as it arrives, from ``Upload-Offset`` on; bytes of a body cut short are
    kept. The request that completes the upload answers once the file is judged."""
    uploads = _uploads(state)
    if content_type != OCTETS:
        raise Problem(415, f"send the bytes as Content-Type: {OCTETS}")
    offset = _number(upload_offset, "Upload-Offset")
    store = uploads.store
    info = _owned(store, upload_id, actor)
    if content_length is not None and offset + _number(content_length, "Content-Length") > info.length:
        raise PastLength(info.length)
    request = Request(actor)
    with store.locked(upload_id) as upload:
        upload.expect(offset)
        try:
            await _receive(http, upload.write)
        except ClientDisconnect:
            raise Problem(400, f"the body was cut short; resume from offset {upload.offset}") from None
        await run_in_threadpool(upload.sync)
        headers = {"Upload-Offset": str(upload.offset)}
        if not upload.complete:
            return Response(
                status_code=204, headers={**headers, "Upload-Expires": _http_date(info.expires_at)}
            )
        outcome = await run_in_threadpool(uploads.finish, request, upload)
        return Response(status_code=204, headers={**headers, "Strom-Position": str(outcome.position)})


async def _receive(http: HttpRequest, write: Callable[[bytes], None]) -> None:
    """Streams the body to ``write`` about a megabyte at a time, from a worker thread so the event
    loop never waits on the disk. A body cut short still has what arrived written before the error."""
    pending: list[bytes] = []
    size = 0
    try:
        async for chunk in http.stream():
            pending.append(chunk)
            size += len(chunk)
            if size >= WRITE_BYTES:
                await run_in_threadpool(_write_all, write, pending)
                pending, size = [], 0
    except ClientDisconnect:
        await run_in_threadpool(_write_all, write, pending)
        raise
    await run_in_threadpool(_write_all, write, pending)


def _write_all(write: Callable[[bytes], None], chunks: list[bytes]) -> None:
    for chunk in chunks:
        write(chunk)


@router.delete(
    "/{upload_id}", status_code=204, response_class=Response, summary="Abandon an upload (tus termination)"
)
def terminate_upload(upload_id: str, state: AppStateDep, actor: CurrentActor) -> Response:
    """Its bytes are removed at once; the draft stays, waiting for another upload."""
    store = _uploads(state).store
    info = store.info(upload_id)
    if info.owner_id != actor.user_id:
        raise UploadNotFound(upload_id)
    store.terminate(upload_id)
    return Response(status_code=204)
