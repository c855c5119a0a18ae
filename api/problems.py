"""Every error leaves the API as RFC 9457 ``application/problem+json``."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from commands.errors import Unavailable
from domain.errors import Conflict, DomainError, InvalidCommand, InvalidCredentials, NotAllowed, NotFound

MEDIA_TYPE = "application/problem+json"

STATUS_OF: dict[type[DomainError], int] = {
    InvalidCommand: 422,
    InvalidCredentials: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
}

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    416: "Range not satisfiable",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


class ProblemDocument(BaseModel):
    """RFC 9457; a 422 from schema validation adds ``errors``."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="Where the body is wrong")


_PROBLEM = {MEDIA_TYPE: {"schema": ProblemDocument.model_json_schema()}}


def problems(**described: str) -> dict[int | str, dict[str, Any]]:
    """``problems(s409="...")``: the problem documents a route may answer with, for OpenAPI."""
    return {int(code[1:]): {"description": text, "content": _PROBLEM} for code, text in described.items()}


#: What any route may answer; routes add or sharpen their own.
COMMON_PROBLEMS = problems(
    s401="No valid bearer token",
    s403="The caller may not do this",
    s404="Unknown, or not visible to the caller",
    s409="Conflicts with the current state",
    s413="The body is over the size limit",
    s422="The body or parameters are invalid; see errors",
    s429="Too many writes; see Retry-After",
)


class Problem(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    detail: str,
    request: Request | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = {
        "type": f"https://strom.dev/problems/{status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **({"instance": request.url.path} if request is not None else {}),
        **extra,
    }
    return Response(orjson.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc.status, exc.detail, request, exc.headers, **exc.extra)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 422)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return problem_response(status, str(exc), request, headers)

    @app.exception_handler(Unavailable)
    async def _unavailable(request: Request, exc: Unavailable) -> Response:
        return problem_response(503, str(exc), request, {"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem_response(422, "the request does not match its schema", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return problem_response(exc.status_code, str(exc.detail), request, getattr(exc, "headers", None))
