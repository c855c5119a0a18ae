"""The OpenAPI document states what each route really answers. What follows from a route's
parameters and dependencies is added here, once, rather than restated on every route:

- a bearer the route accepts but does not need is optional (``security: [{}, {HTTPBearer: []}]``);
- a ``cursor``, an ``Idempotency-Key`` (its form stated) or a body that is not UTF-8 may be refused
  with 400;
- an ``If-None-Match`` may be answered with 304, and the ``ETag`` to send back comes with 200;
- the tus routes take and answer ``Tus-Resumable``, and refuse any other version with 412;
- every route but ``/healthz`` may answer 503 while a store is down (``COMMON_PROBLEMS``);
- the problem document's schema, which every problem response refers to, is a component.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from api.deps import current_session, optional_session
from api.problems import problem_schemas, problems
from api.routers.uploads import TUS_VERSION, TusRoute
from commands.idempotency import KEY_PATTERN

Operation = dict[str, Any]

#: Routes that touch no store: they answer whether the process runs, whatever its stores do.
NEVER_UNAVAILABLE = {("get", "/healthz")}
BAD_REQUEST = problems(
    s400="A cursor this list did not hand out, a malformed Idempotency-Key, or a body that is not text"
)[400]
PRECONDITION = problems(s412=f"Tus-Resumable is not {TUS_VERSION}")[412]
NOT_MODIFIED = {"description": "Unchanged since the ETag given in If-None-Match"}
ETAG = {"ETag": {"description": "Send it back in If-None-Match", "schema": {"type": "string"}}}
TUS_HEADER = {"schema": {"type": "string", "enum": [TUS_VERSION]}, "description": "The tus protocol version"}


def install(app: FastAPI, documented: Sequence[APIRouter] = ()) -> None:
    """``app.openapi`` answers the refined document; it is refined again only if FastAPI rebuilt it.
    Its operations are listed in the order of ``documented`` (the routers' order, whatever order the
    app matches them in); operations of routes in none of them keep their place after those."""
    build = app.openapi
    refined: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = build()
        if not refined or refined[0] is not schema:
            refine(schema, app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(problem_schemas())
            if "paths" in schema and documented:
                schema["paths"] = _in_order(schema["paths"], documented)
            refined[:] = [schema]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _in_order(paths: dict[str, dict[str, Any]], routers: Sequence[APIRouter]) -> dict[str, dict[str, Any]]:
    """The path items, and the operations in each, ordered as the routers list their routes."""
    rank: dict[tuple[str, str], int] = {}
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    for i, route in enumerate(routes):
        for method in route.methods or ():
            rank.setdefault((route.path_format, method.lower()), i)
    operations = [(path, method) for path, item in paths.items() for method in item]
    operations.sort(key=lambda pm: rank.get(pm, len(rank)))  # stable: ties keep FastAPI's order
    ordered: dict[str, dict[str, Any]] = {}
    for path, method in operations:
        ordered.setdefault(path, {})[method] = paths[path][method]
    return ordered


def refine(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    for route, method, operation, path in _operations(schema, routes):
        _auth(operation, route.dependant)
        _problems(operation, method, path)
        _idempotency_key(operation)
        _etag(operation)
        if isinstance(route, TusRoute):
            _tus(operation, method)


def _operations(
    schema: dict[str, Any], routes: Sequence[BaseRoute]
) -> Iterator[tuple[APIRoute, str, Operation, str]]:
    """Each documented operation with its route; included routers are walked as FastAPI walks them."""
    paths = schema.get("paths", {})
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path_format:
            for method in sorted(route.methods or ()):
                operation = paths.get(context.path_format, {}).get(method.lower())
                if operation is not None:
                    yield route, method.lower(), operation, context.path_format


def _auth(operation: Operation, dependant: Dependant) -> None:
    """FastAPI lists the bearer scheme for both; only a route that needs a signed-in caller requires it."""
    calls = set(_calls(dependant))
    if optional_session in calls and current_session not in calls:
        operation["security"] = [{}, *[s for s in operation.get("security", []) if s]]


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _idempotency_key(operation: Operation) -> None:
    """What ``check_key`` accepts, so a client (and a fuzzer) knows which keys are refused with 400."""
    for parameter in operation.get("parameters", []):
        if parameter["name"].lower() == "idempotency-key":
            parameter["schema"] = {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$"}


def _problems(operation: Operation, method: str, path: str) -> None:
    responses = operation["responses"]
    names = {p["name"].lower() for p in operation.get("parameters", [])}
    if names & {"cursor", "idempotency-key"} or "requestBody" in operation:
        responses.setdefault("400", copy.deepcopy(BAD_REQUEST))
    if (method, path) in NEVER_UNAVAILABLE:
        responses.pop("503", None)


def _etag(operation: Operation) -> None:
    if not any(p["name"].lower() == "if-none-match" for p in operation.get("parameters", [])):
        return
    responses = operation["responses"]
    responses.setdefault("304", NOT_MODIFIED)
    for status in ("200", "304"):
        responses[status] = _with_headers(responses[status], ETAG)


def _tus(operation: Operation, method: str) -> None:
    """The version is checked before anything else, so a route's own parameters never see it. tus:
    OPTIONS is how a client learns the versions, so only it need not name one."""
    responses = operation["responses"]
    if method != "options":
        responses.setdefault("412", PRECONDITION)
        parameters = operation.setdefault("parameters", [])
        if not any(p["name"].lower() == "tus-resumable" for p in parameters):
            parameters.insert(0, {"name": "Tus-Resumable", "in": "header", "required": True, **TUS_HEADER})
    for status, response in responses.items():
        responses[status] = _with_headers(response, {"Tus-Resumable": {**TUS_HEADER, "required": True}})


def _with_headers(response: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    """A copy: FastAPI shares one dict between the routes given the same ``responses``."""
    return {**response, "headers": {**response.get("headers", {}), **headers}}
