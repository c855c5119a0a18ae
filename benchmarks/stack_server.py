"""One server for ``benchmarks.http_stack``: the API or the trivial app on a chosen HTTP stack.

``--http`` picks uvicorn's h11 or httptools protocol, either with the slow-client guard
(``strom.connection_guard``) as the API runs it.
``--loop`` picks asyncio's own event loop or uvloop. The API is built from ``STROM_*`` settings
exactly as ``strom api`` builds it. Run with ``python -m benchmarks.stack_server --app api|trivial
--http h11|httptools --loop asyncio|uvloop --port N``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m benchmarks.stack_server", description=__doc__)
    parser.add_argument("--app", choices=("api", "trivial"), required=True)
    parser.add_argument("--http", choices=("h11", "httptools"), required=True)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.app == "api":
        from strom.serve import build_app
        from strom.settings import Settings

        app: Any = build_app(Settings())
    else:
        from benchmarks.trivial_app import create_app

        app = create_app()
    from strom.connection_guard import ClientLimits, guarded_protocol

    http = guarded_protocol(ClientLimits(), args.http)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        http=http,
        loop=args.loop,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
