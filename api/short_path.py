"""A short path for the busiest routes (a like, an unlike, a Following feed page): well-formed
requests skip FastAPI's routing and dependency solving, and everything else goes the way it always
went.

Under ``benchmarks.api_commands`` (50 people liking and unliking through HTTP), matching a like
through FastAPI's routers and solving its dependencies (the app state, the bearer, the session, two
optional headers, the video's id) took about half of the event loop's time, more than the command
itself; under ``benchmarks.feed_query`` they were a quarter of a feed page's. ``ShortPath`` is a
route placed before all others. It takes a route whose endpoint is a coroutine that returns its own
``Response`` and takes nothing but ids from its path (``IdPath``), query parameters, the HTTP
request and dependencies it knows (``_PROVIDED``: the app state, the read store, the caller, the
command request). It matches a request when the ids match their pattern, a bearer came, no
``X-Correlation-Id`` came (it has a form to check), no dependency is overridden and the app is not
served under a root path. It then reads the query parameters with FastAPI's own function: where
FastAPI would refuse one, the documented route answers the request (so a refused token still comes
before a refused parameter, as FastAPI solves dependencies first). Otherwise it calls what the
dependencies call, in the order FastAPI calls them, and the endpoint. Any other request matches the
documented route as before, so every refusal (a malformed id, header or parameter: 422; no bearer:
401) is the one FastAPI gives, and the OpenAPI document, built from the declared parameters, does
not change.

The short path runs inside the same middleware and exception handlers as every route, and sets the
same ``scope["route"]`` (the metrics' label, the suspension check): a refusal raised on it (401,
403, 404, 429, 503) is answered by the same handler as on the long way.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers, URLPath
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from api.deps import (
    UUID_PATTERN,
    app_state,
    command_request,
    current_actor,
    current_session,
    signed_in,
    write_request,
)
from api.reading import read_store
from api.state import AppState
from commands.context import Request
from domain.actors import Actor
from read_models.port import ReadStore
from services.sessions import SignedIn

_ID = re.compile(UUID_PATTERN)


class ShortPath(BaseRoute):
    """The routes of ``routers`` that can take the short path, before every other route."""

    def __init__(self, routers: Iterable[APIRouter]) -> None:
        lanes = [
            lane
            for router in routers
            if not router.dependencies  # a router's own dependencies would be skipped
            for route in router.routes
            if isinstance(route, APIRoute) and (lane := _Lane.of(route)) is not None
        ]
        self._lanes = {id(lane.route): lane for lane in lanes}  # routes are not hashable

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or getattr(scope.get("app"), "dependency_overrides", None):
            return Match.NONE, {}
        for lane in self._lanes.values():
            params = lane.params(scope)
            if params is not None:
                return Match.FULL, {"route": lane.route, "path_params": params}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = scope["route"]
        response = await self._lanes[id(route)].answer(HttpRequest(scope, receive, send))
        if response is None:  # a parameter FastAPI refuses: the documented route words the answer
            await route.handle(scope, receive, send)
            return
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)  # no URL of its own: its routes have theirs


@dataclasses.dataclass(frozen=True, slots=True)
class _Lane:
    """One route's short path: where its endpoint takes each of what the path provides."""

    route: APIRoute
    endpoint: Callable[..., Any]
    ids: tuple[str, ...]
    #: The endpoint's parameter names for each dependency the short path provides, by dependency.
    provided: dict[Callable[..., Any], tuple[str, ...]]
    http: str | None
    #: Query strings already read, and their values: reading them is a pure function of the string,
    #: and most pages ask the same one (every first page, ``limit=20``).
    read: dict[bytes, dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, route: APIRoute) -> _Lane | None:
        """``None`` unless the endpoint takes only what the short path provides."""
        dependant: Dependant = route.dependant
        if not inspect.iscoroutinefunction(route.endpoint) or not _only_ids_and_dependencies(dependant):
            return None
        if not _answers_itself(route.endpoint):
            return None  # a model to validate and write: FastAPI's work, which the lane does not copy
        provided: dict[Callable[..., Any], list[str]] = {}
        for sub in dependant.dependencies:
            if sub.call not in _PROVIDED or not sub.name:
                return None
            provided.setdefault(sub.call, []).append(sub.name)
        if command_request in provided and dependant.query_params:
            return None  # commands take their input in the path and the body, never the query
        ids = tuple(field.name for field in dependant.path_params)
        names = {call: tuple(given) for call, given in provided.items()}
        return cls(route, route.endpoint, ids, names, dependant.request_param_name)

    def params(self, scope: Scope) -> dict[str, str] | None:
        """The path's ids when this request can take the short path."""
        if scope["method"] not in (self.route.methods or ()):
            return None
        matched = self.route.path_regex.match(scope["path"])
        if matched is None or scope.get("root_path"):
            return None
        ids = matched.groupdict()
        if not all(_ID.fullmatch(value) for value in ids.values()):
            return None
        headers = Headers(scope=scope)
        if "x-correlation-id" in headers or _bearer(headers) is None:
            return None
        return ids

    async def answer(self, http: HttpRequest) -> Response | None:
        """The dependencies' work, then the endpoint: the long way's calls, in its order; ``None``
        where FastAPI would refuse a query parameter."""
        queried = self._queried(http)
        if queried is None:
            return None
        values: dict[str, Any] = {name: http.path_params[name] for name in self.ids} | queried
        given = _Given(http)
        for call, names in self.provided.items():
            values |= dict.fromkeys(names, await _PROVIDED[call](given))
        if self.http is not None:
            values[self.http] = http
        response: Response = await self.endpoint(**values)
        return response

    def _queried(self, http: HttpRequest) -> dict[str, Any] | None:
        """The query parameters' values as FastAPI reads them, or ``None`` where it refuses one."""
        raw: bytes = http.scope.get("query_string", b"")
        queried = self.read.get(raw)
        if queried is None:
            queried, errors = request_params_to_args(self.route.dependant.query_params, http.query_params)
            if errors:
                return None
            if not all(isinstance(v, _KEPT_VALUES) for v in queried.values()):
                return queried  # a value an endpoint could change (a list) is read afresh each time
            if len(self.read) >= QUERIES_KEPT:  # bounded, however many strings come
                self.read.clear()
            self.read[raw] = queried
        return queried


#: Query strings each route keeps read (``_Lane.read``), and the values that may be kept.
QUERIES_KEPT = 256
_KEPT_VALUES = (str, int, float, type(None))


class _Given:
    """What one request's dependencies come to, each worked out once as FastAPI caches them."""

    def __init__(self, http: HttpRequest) -> None:
        self.http = http
        self._session: SignedIn | None = None

    async def state(self) -> AppState:
        return await app_state(self.http)

    async def session(self) -> SignedIn:
        if self._session is None:
            credentials = _bearer(self.http.headers)
            assert credentials is not None  # ``params`` made sure
            self._session = signed_in(await self.state(), credentials)
        return self._session

    async def actor(self) -> Actor:
        return (await self.session()).actor

    async def command(self) -> Request:
        """``command_request``'s work once its parameters are read (``params`` saw no correlation id)."""
        http = self.http
        return write_request(
            await self.state(), await self.session(), http, http.headers.get("idempotency-key")
        )

    async def read_store(self) -> ReadStore:
        return await read_store(self.http)


#: What the short path gives an endpoint in place of each dependency FastAPI would solve.
_PROVIDED: dict[Callable[..., Any], Callable[[_Given], Awaitable[Any]]] = {
    app_state: _Given.state,
    command_request: _Given.command,
    current_actor: _Given.actor,
    current_session: _Given.session,
    read_store: _Given.read_store,
}


def _only_ids_and_dependencies(dependant: Dependant) -> bool:
    return not (
        dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.background_tasks_param_name
        or dependant.response_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.security_scopes_param_name
    ) and all(_is_id(field.field_info.metadata) for field in dependant.path_params)


def _answers_itself(endpoint: Callable[..., Any]) -> bool:
    """The endpoint returns its ``Response``, as FastAPI would send it."""
    returned = inspect.signature(endpoint, eval_str=True).return_annotation
    return inspect.isclass(returned) and issubclass(returned, Response)


def _is_id(metadata: list[Any]) -> bool:
    return [getattr(m, "pattern", None) for m in metadata] == [UUID_PATTERN]


def _bearer(headers: Headers) -> str | None:
    """The credentials ``HTTPBearer(auto_error=False)`` would hand on, or ``None`` where it gives none."""
    authorization = headers.get("Authorization")
    scheme, credentials = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and credentials) or scheme.lower() != "bearer":
        return None
    return credentials
