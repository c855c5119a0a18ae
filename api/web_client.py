"""Serves the built web client (``web/dist``) from the API's origin, so the client needs no CORS and
its URLs (``/u/<id>``, ``/v/<id>``) work when opened directly or reloaded.

Vite names every asset by its content hash, so ``/assets/*`` is cached for a year; ``index.html``
must be asked for again each time (``no-cache``), or a deploy would leave browsers on old assets.
Any other path without a file extension is one of the client's own routes and gets ``index.html``;
the client shows its own "not found". Paths under ``/v1/`` never fall through to the client: an
unknown API path stays a 404 problem.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.problems import Problem

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
API_PREFIXES = ("v1/", "docs", "openapi.json", "redoc")


def client_router(dist: Path) -> APIRouter:
    """Routes that must be mounted after every API router: they answer any path left over."""
    router = APIRouter(include_in_schema=False)
    root = dist.resolve()

    @router.api_route("/{path:path}", methods=["GET", "HEAD"])
    def client_file(path: str) -> FileResponse:
        if path.startswith(API_PREFIXES):
            raise Problem(404, "no such resource")
        index = root / "index.html"
        if not index.is_file():
            raise Problem(503, "the web client is not built: run 'make run' (or 'npm run build' in web/)")
        found = _file_in(root, path)
        if found is not None:
            cache = IMMUTABLE if path.startswith("assets/") else REVALIDATE
            return FileResponse(found, headers={"Cache-Control": cache})
        if "." in path.rsplit("/", 1)[-1]:
            raise Problem(404, "no such file")
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})

    return router


def _file_in(root: Path, path: str) -> Path | None:
    """The file ``path`` names inside ``root``, never outside it (``..``, symlinks out)."""
    if not path:
        return None
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
