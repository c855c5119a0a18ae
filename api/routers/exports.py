"""Data exports as their holders see them: where each stands and, once ready, a link to download it.

An export is asked for with ``POST /v1/me/export`` (accounts) and built in the background by the
data exports process manager. Its holder alone may see it: anyone else's export reads as absent.

The download link is signed (``media.signing``, over ``exports/<export_id>`` so it can never pass
as a video's link, nor the other way round), made for the holder, and short-lived: whoever holds
the link may download until it expires, which is what lets a browser follow it as a plain link.
Each time the export is read a fresh link comes with it. A link also stops working once the export
expires or its holder is erased, whatever its own expiry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response, StreamingResponse

from api.deps import UUID_PATTERN, AppStateDep, CurrentSession, IdPath
from api.problems import Problem, problems
from api.reading import Cursor, MinPosition, ReadStoreDep, caught_up, query
from api.routers.media import MediaDep
from domain.accounts.exports import Status
from domain.errors import InvalidCredentials
from media import signing
from media.storage import MediaNotFound, MediaStorage
from read_models import data_exports as model

router = APIRouter(prefix="/v1", tags=["exports"])

#: How long a download link works once handed out.
LINK_TTL_S = 15 * 60
CHUNK_BYTES = 1 << 20
NO_STORE = {"Cache-Control": "no-store"}

#: Read through the module so tests can move the clock; links are Unix-time based.
wall_clock: Callable[[], float] = time.time

Token = Annotated[str, Query(max_length=256, description="From the export's download_url")]
LinkSession = Annotated[
    str, Query(pattern=UUID_PATTERN, description="From the export's download_url: the session it was made in")
]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100)")]


class ExportPublic(BaseModel):
    export_id: str
    status: Status = Field(description="pending, then ready or failed; a ready one expires")
    requested_at: datetime | None
    ready_at: datetime | None
    expires_at: datetime | None = Field(description="When the archive is deleted")
    size_bytes: int | None = Field(description="The archive's size")
    sha256: str | None = Field(description="The archive's SHA-256, hex")
    reason: str | None = Field(description="Why it failed, or was abandoned")
    download_url: str | None = Field(description="While ready: the archive, until download_expires_at")
    download_expires_at: datetime | None = Field(description="When download_url stops working")


class ExportsPage(BaseModel):
    items: list[ExportPublic] = Field(description="Newest first")
    next_cursor: str | None


_SIGNED_IN = {"s401": "No valid bearer token"}


@router.get(
    "/me/exports",
    response_model=ExportsPage,
    summary="Your data exports",
    responses=problems(**_SIGNED_IN),
)
async def list_exports(
    session: CurrentSession,
    store: ReadStoreDep,
    media: MediaDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Response:
    """Newest first; ready ones come with a fresh download link."""
    await caught_up(store, model.MODEL, min_position)
    found, next_cursor = await query(
        model.MODEL, lambda: model.page_of(store, session.actor.user_id, limit=limit, cursor=cursor)
    )
    now, key = wall_clock(), media.signing_key
    items = [_public(e, session.session_id, key, now) for e in found]
    page = ExportsPage(items=items, next_cursor=next_cursor)
    return Response(page.model_dump_json(), media_type="application/json", headers=NO_STORE)


@router.get(
    "/me/exports/{export_id}",
    response_model=ExportPublic,
    summary="One of your data exports",
    responses=problems(**_SIGNED_IN, s404="No export of yours by this id"),
)
async def read_export(
    export_id: IdPath,
    session: CurrentSession,
    store: ReadStoreDep,
    media: MediaDep,
    min_position: MinPosition = None,
) -> Response:
    """Where it stands; while ready, with a download link that works for a few minutes, and only
    while the session it was made in lasts (a sign-out or password change ends it too). Pass the
    position ``POST /v1/me/export`` answered as ``min_position`` to see the export just asked for."""
    await caught_up(store, model.MODEL, min_position)
    user_id = session.actor.user_id
    export = await query(model.MODEL, lambda: model.find(store, user_id, export_id))
    if export is None:
        raise Problem(404, "no such export")
    public = _public(export, session.session_id, media.signing_key, wall_clock())
    return Response(public.model_dump_json(), media_type="application/json", headers=NO_STORE)


@router.get(
    "/exports/{export_id}/archive",
    response_class=Response,
    summary="Download a data export (through its signed link)",
    responses={
        200: {
            "description": "The archive (streamed), as an attachment",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problems(
            s403="The link is not valid, it expired, or the session it was made in ended",
            s404="No such export",
            s410="The export expired or was deleted",
        ),
    },
)
async def download_export(
    export_id: IdPath,
    token: Token,
    session: LinkSession,
    state: AppStateDep,
    store: ReadStoreDep,
    media: MediaDep,
) -> Response:
    """No bearer token: the link is the credential, for a few minutes and while the session it was
    made in lasts, so ending a session (or every session) revokes the links it took. Ask for the
    export again (``GET /v1/me/exports/{export_id}``) for a fresh link."""
    now = wall_clock()
    user_id = signing.verify(token, _resource(export_id, session), media.signing_key, now)
    try:
        await asyncio.to_thread(state.gate.admit, user_id, session)
    except InvalidCredentials:
        raise Problem(403, "the session this link was made in has ended; sign in for a fresh link") from None
    export = await query(model.MODEL, lambda: model.find(store, user_id, export_id))
    if export is None:
        raise Problem(404, "no such export")
    if not _downloadable(export, now) or export.object_key is None:
        raise Problem(410, "the export is no longer available; ask for a new one")
    try:
        size = await asyncio.to_thread(media.storage.size, export.object_key)
    except MediaNotFound:
        raise Problem(410, "the export is no longer available; ask for a new one") from None
    headers = {
        **NO_STORE,
        "Content-Disposition": f'attachment; filename="{_filename(export)}"',
        "Content-Length": str(size),
    }
    chunks = _chunks(media.storage, export.object_key, size)
    return StreamingResponse(chunks, media_type="application/zip", headers=headers)


def _public(export: model.Export, session_id: str, key: bytes, now: float) -> ExportPublic:
    url, link_expires = None, None
    if _downloadable(export, now) and export.expires_at is not None:
        link_expires = min(int(now) + LINK_TTL_S, int(export.expires_at.timestamp()))
        token = signing.sign(_resource(export.export_id, session_id), export.user_id, link_expires, key)
        url = f"/v1/exports/{export.export_id}/archive?token={token}&session={session_id}"
    return ExportPublic(
        export_id=export.export_id,
        status=Status(export.status),
        requested_at=export.requested_at,
        ready_at=export.ready_at,
        expires_at=export.expires_at,
        size_bytes=export.size_bytes,
        sha256=export.sha256,
        reason=export.reason,
        download_url=url,
        download_expires_at=None if link_expires is None else datetime.fromtimestamp(link_expires, UTC),
    )


def _downloadable(export: model.Export, now: float) -> bool:
    """Ready, and its lifetime not over even if the sweeper has not come by yet."""
    expires_at = export.expires_at
    return export.status == Status.READY and expires_at is not None and now < expires_at.timestamp()


def _resource(export_id: str, session_id: str) -> str:
    """What a link's signature covers: the export, and the session the link was made in."""
    return f"exports/{export_id}/{session_id}"


def _filename(export: model.Export) -> str:
    day = (export.ready_at or datetime.now(UTC)).strftime("%Y-%m-%d")
    return f"strom-data-{day}-{export.export_id[:8]}.zip"


def _chunks(storage: MediaStorage, key: str, size: int) -> Iterator[bytes]:
    """A megabyte at a time: an archive holding videos never sits in memory whole."""
    for start in range(0, size, CHUNK_BYTES):
        yield storage.read(key, start, min(start + CHUNK_BYTES, size))
