"""A short path for the busiest command routes: well-formed requests skip FastAPI's routing and
dependency solving, and everything else goes the way it always went.

Under ``benchmarks.api_commands`` (50 people liking and unliking through HTTP), matching a like
through FastAPI's routers and solving its dependencies (the app state, the bearer, the session, two
optional headers, the video's id) took about half of the event loop's time, more than the command
itself. ``ShortPath`` is a route placed before all others. It matches a request only when FastAPI's
validation would pass it as it is: the route's endpoint is a coroutine taking nothing but ids from
its path (``IdPath``), ``AppStateDep``, the HTTP request and ``CommandRequest``; the ids match their
pattern; a bearer came; no ``X-Correlation-Id`` came (it has a form to check); no dependency is
overridden; the app is not served under a root path. It then calls what those dependencies call,
in the order FastAPI calls them, and the endpoint. Any other request matches the documented route
as before, so every refusal (a malformed id or header: 422; no bearer: 401) is the one FastAPI
gives, and the OpenAPI document, built from the declared parameters, does not change.

The short path runs inside the same middleware and exception handlers as every route, and sets the
same ``scope["route"]`` (the metrics' label, the suspension check): a refusal raised on it (401,
403, 404, 429, 503) is answered by the same handler as on the long way.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers, URLPath
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from api.deps import UUID_PATTERN, app_state, command_request, signed_in, write_request

_ID = re.compile(UUID_PATTERN)


class ShortPath(BaseRoute):
    """The command routes of ``routers`` that can take the short path, before every other route."""

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
        response = await self._lanes[id(scope["route"])].answer(HttpRequest(scope, receive, send))
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)  # no URL of its own: its routes have theirs


@dataclasses.dataclass(frozen=True, slots=True)
class _Lane:
    """One route's short path: where its endpoint takes each of what the path provides."""

    route: APIRoute
    endpoint: Callable[..., Any]
    ids: tuple[str, ...]
    state: tuple[str, ...]
    request: tuple[str, ...]
    http: str | None

    @classmethod
    def of(cls, route: APIRoute) -> _Lane | None:
        """``None`` unless the endpoint takes only what the short path provides."""
        dependant: Dependant = route.dependant
        if not inspect.iscoroutinefunction(route.endpoint) or not _only_ids_and_dependencies(dependant):
            return None
        state: list[str] = []
        request: list[str] = []
        for sub in dependant.dependencies:
            names = state if sub.call is app_state else request if sub.call is command_request else None
            if names is None or not sub.name:
                return None
            names.append(sub.name)
        ids = tuple(field.name for field in dependant.path_params)
        return cls(route, route.endpoint, ids, tuple(state), tuple(request), dependant.request_param_name)

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

    async def answer(self, http: HttpRequest) -> Response:
        """``command_request``'s work, then the endpoint: the long way's calls, in its order."""
        state = await app_state(http)
        credentials = _bearer(http.headers)
        assert credentials is not None  # ``params`` made sure
        session = signed_in(state, credentials)
        request = write_request(state, session, http, http.headers.get("idempotency-key"))
        values: dict[str, Any] = {name: http.path_params[name] for name in self.ids}
        values |= dict.fromkeys(self.state, state) | dict.fromkeys(self.request, request)
        if self.http is not None:
            values[self.http] = http
        response: Response = await self.endpoint(**values)
        return response


def _only_ids_and_dependencies(dependant: Dependant) -> bool:
    return not (
        dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.background_tasks_param_name
        or dependant.response_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.security_scopes_param_name
    ) and all(_is_id(field.field_info.metadata) for field in dependant.path_params)


def _is_id(metadata: list[Any]) -> bool:
    return [getattr(m, "pattern", None) for m in metadata] == [UUID_PATTERN]


def _bearer(headers: Headers) -> str | None:
    """The credentials ``HTTPBearer(auto_error=False)`` would hand on, or ``None`` where it gives none."""
    authorization = headers.get("Authorization")
    scheme, credentials = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and credentials) or scheme.lower() != "bearer":
        return None
    return credentials
