"""Every error leaves the API as RFC 9457 ``application/problem+json``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commands.errors import OUTAGES
from domain.errors import (
    Conflict,
    DomainError,
    InvalidCommand,
    InvalidCredentials,
    NotAllowed,
    NotFound,
    TooMany,
)
from read_models.errors import InvalidQuery, InvalidRow, ReadStoreError, RetryableError

MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)

STATUS_OF: dict[type[DomainError], int] = {
    InvalidCommand: 422,
    InvalidCredentials: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    TooMany: 429,
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


class FieldProblem(BaseModel):
    """One thing wrong in a request, as a 422 lists them: the web client shows it by its field."""

    location: list[str | int] = Field(description='Where, as a path: ["body", "handle"]')
    message: str
    type: str


class ProblemDocument(BaseModel):
    """RFC 9457, with the members some problems add: ``errors`` (a 422 from schema validation), the
    daily limit a 429 reached, the restriction a 403 met. The web client's types are generated from
    this (``components.schemas.Problem``), so what it reads is what is sent."""

    model_config = ConfigDict(title="Problem")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = Field(default=None, description="Where the request is wrong")
    limit: str | None = Field(default=None, description="The daily limit reached: comment_per_day, …")
    allowed: int | None = Field(default=None, description="How many the limit allows a day")
    count: int | None = Field(default=None, description="How many were made today")
    tier: str | None = Field(default=None, description="new_account or established")
    strikes: int | None = Field(default=None, description="Strikes in force, each lowering the limit")
    lifts_at: str | None = Field(default=None, description="When the limit lifts: midnight UTC")
    restriction: str | None = Field(default=None, description="The restriction or suspension in force")
    until: str | None = Field(default=None, description="When it ends; null: until lifted")


#: Problems are answered by most routes: the document refers to one schema rather than repeat it.
_PROBLEM = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_schemas() -> dict[str, dict[str, Any]]:
    """The OpenAPI components ``_PROBLEM`` refers to."""
    schema = ProblemDocument.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("$defs", {})
    return {"Problem": schema, **nested}


_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}
}


def problems(**described: str) -> dict[int | str, dict[str, Any]]:
    """``problems(s409="...")``: the problem documents a route may answer with, for OpenAPI."""
    return {int(code[1:]): _documented(int(code[1:]), text) for code, text in described.items()}


def _documented(status: int, description: str) -> dict[str, Any]:
    retry = {"headers": _RETRY_AFTER} if status in (429, 503) else {}
    return {"description": description, "content": _PROBLEM, **retry}


#: What any route may answer; routes add or sharpen their own.
COMMON_PROBLEMS = problems(
    s401="No valid bearer token",
    s403="The caller may not do this",
    s404="Unknown, or not visible to the caller",
    s409="Conflicts with the current state",
    s413="The body is over the size limit",
    s422="The body or parameters are invalid; see errors",
    s429="Too many writes, or a daily limit of uploads, comments, follows or reports reached (the "
    "problem names the limit, the count and lifts_at); see Retry-After",
    s503="A store cannot answer now, or the read model is not built yet or has not caught up with "
    "min_position; see Retry-After",
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
        if isinstance(exc, TooMany):
            headers = {"Retry-After": str(exc.retry_after_s)}
        extra = getattr(exc, "problem_fields", None) or {}  # e.g. which restriction refused it, until when
        return problem_response(status, str(exc), request, headers, **extra)

    async def _write_side_down(request: Request, exc: Exception) -> Response:
        return outage(request, "the event store", exc, retry_after_s=1)

    for outage_type in OUTAGES:
        app.add_exception_handler(outage_type, _write_side_down)

    @app.exception_handler(ReadStoreError)
    async def _read_side_down(request: Request, exc: ReadStoreError) -> Response:
        if isinstance(exc, InvalidQuery | InvalidRow):
            raise exc  # a query or row we built wrong is our bug, not an outage: it stays a 500
        return outage(
            request, "the read store", exc, retry_after_s=1 if isinstance(exc, RetryableError) else 5
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem_response(422, "the request does not match its schema", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(sorted(allowed_methods(request.app.routes, request.url.path)))
        return problem_response(exc.status_code, str(exc.detail), request, headers)

    app.add_middleware(Crashes)


def allowed_methods(routes: Sequence[BaseRoute], path: str) -> set[str]:
    """Every documented method on ``path``. Starlette's 405 names only the first route matching the
    path, but FastAPI makes a route per method (``GET`` and ``PUT /v1/me/consent`` are two)."""
    return {
        method
        for context in iter_route_contexts(routes)
        if getattr(context.original_route, "include_in_schema", False)
        and context.path
        and compile_path(context.path)[0].match(path)
        for method in getattr(context.original_route, "methods", None) or ()
    }


def outage(request: Request, store: str, exc: Exception, *, retry_after_s: int) -> Response:
    """A store that cannot answer now is a 503 the client may retry. What failed, and where, is for
    the operator's log: the client learns which side is down, not hosts or file paths."""
    logger.warning("%s %s: %s unavailable: %s", request.method, request.url.path, store, exc)
    detail = f"{store} cannot answer right now; try again later"
    return problem_response(503, detail, request, {"Retry-After": str(retry_after_s)})


class Crashes:
    """An exception no handler took still leaves as a problem document (500), saying nothing of
    what went wrong; it is then raised on, so the server logs it with its traceback (and a test
    client raises it). Installed inside the other middleware, so the 500 gets their headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if not started:
                detail = "an unexpected error; it was logged, and retrying may not help"
                await problem_response(500, detail, Request(scope))(scope, receive, send)
            raise
