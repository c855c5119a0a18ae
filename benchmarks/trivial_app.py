"""The least an HTTP command can cost here: FastAPI, one route, an orjson body, nothing behind it.

``benchmarks.api_commands`` drives this and the real API with the same client load, so the ratio
between the two says what our middleware, auth, idempotency and event store add on top of the
framework and the server. Served the way ``strom.serve`` serves the API: uvicorn, one process,
log level warning, no access log, the slow-client guard. Run with
``python -m benchmarks.trivial_app --port N``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import orjson
from fastapi import FastAPI
from starlette.responses import Response

#: About as large as the API's ``{"position": ...}`` answer, so both send the same bytes back.
BODY = orjson.dumps({"position": 123_456})


def create_app() -> FastAPI:
    """Built on demand, like the real app, so importing this module starts nothing."""
    app = FastAPI(title="trivial", openapi_url=None, docs_url=None, redoc_url=None)

    @app.put("/ping")
    def ping() -> Response:
        return Response(BODY, media_type="application/json")

    return app


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m benchmarks.trivial_app", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    from strom.connection_guard import ClientLimits, guarded_protocol

    protocol = guarded_protocol(ClientLimits())
    uvicorn.run(
        create_app(),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        http=protocol,
        loop="asyncio",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
