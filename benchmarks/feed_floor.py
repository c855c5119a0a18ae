"""The raw floor of a Following feed page: a bare Starlette route doing the page's SQL, nothing else.

``benchmarks.feed_query`` serves this beside the API, on the same ``read.db``, under the same load:
the reader comes from a token→user map (no signature, no session), the page is one hand-written
statement over the reader's fanned-out rows and the merged large creators' (newest first, from the
current week back to the horizon), then the suspended owners and the labels of the videos on it, each
one statement, and the body is written with orjson. No validation, no dependencies, no thread hop:
what is left is the framework, the server and SQLite, so the API's ratio to it says what our own
request path costs. Served as the API is (uvicorn, one process, the slow-client guard). Run with
``python -m benchmarks.feed_floor --port N --db read.db --readers tokens.json``.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

WEEK_MS = 7 * 86_400_000
HORIZON_MS = 60 * 86_400_000
LIVE = '"_deleted" = 0 AND ("_expires_at" IS NULL OR "_expires_at" > :now)'
COLUMNS = '"bucket", "published_at", "video_id", "owner_id", "visibility", "hashtags"'


def _page_sql(feed: str, videos: str, merged: str) -> str:
    order = '"bucket" DESC, "published_at" DESC, "video_id" DESC'
    arm = f'AND "bucket" BETWEEN :last AND :first AND {LIVE} ORDER BY {order} LIMIT :n'
    return (
        f'SELECT * FROM (SELECT {COLUMNS}, 0 AS s FROM "{feed}" WHERE "user_id" = :user {arm}) UNION ALL '
        f'SELECT * FROM (SELECT {COLUMNS}, 1 AS s FROM "{videos}" WHERE "owner_id" IN '
        f'(SELECT "creator_id" FROM "{merged}" WHERE "user_id" = :user AND {LIVE}) {arm}) '
        f'ORDER BY {order}, s, "owner_id" LIMIT :n'
    )


class Floor:
    def __init__(self, db: Path, readers: dict[str, str]) -> None:
        self.conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        self.readers = readers
        builds = dict(self.conn.execute('SELECT "key", "value" FROM strom_meta WHERE "_deleted" = 0'))
        feed = builds.get("live_build:following_feed", "v1")
        moderation = builds.get("live_build:moderation_standing", "v1")
        self.page_sql = _page_sql(
            f"following_feed_{feed}", f"feed_creator_videos_{feed}", f"feed_merged_creators_{feed}"
        )
        self.standing = f"mod_standing_{moderation}"
        self.labels = f"video_labels_{moderation}"

    def page(self, user: str, limit: int) -> bytes:
        now = datetime.now(UTC)
        now_ms = time.time_ns() // 1_000_000
        first = (int(now.timestamp() * 1000)) // WEEK_MS
        last = (int((now - timedelta(milliseconds=HORIZON_MS)).timestamp() * 1000)) // WEEK_MS
        params = {"user": user, "first": first, "last": last, "now": now_ms, "n": limit}
        rows = self.conn.execute(self.page_sql, params).fetchall()
        owners = list(dict.fromkeys(r[3] for r in rows))
        suspended = {
            r[0] for r in self._in(self.standing, "user_id", '"user_id", "suspended"', owners, now_ms) if r[1]
        }
        shown = [r for r in rows if r[3] not in suspended]
        labels = {
            r[0]: sorted(orjson.loads(r[1]) if r[1] else [])
            for r in self._in(self.labels, "video_id", '"video_id", "labels"', [r[2] for r in shown], now_ms)
        }
        items = [
            {
                "video_id": r[2],
                "owner_id": r[3],
                "published_at": datetime.fromtimestamp(r[1] / 1000, UTC).isoformat().replace("+00:00", "Z"),
                "visibility": r[4],
                "hashtags": orjson.loads(r[5]) if r[5] else [],
                "labels": labels.get(r[2], []),
            }
            for r in shown
        ]
        cursor = None
        if len(rows) == limit:
            cursor = orjson.dumps([rows[-1][0], rows[-1][1], rows[-1][2]]).hex()
        return orjson.dumps({"items": items, "next_cursor": cursor})

    def _in(self, table: str, key: str, columns: str, values: Sequence[str], now_ms: int) -> list[Any]:
        if not values:
            return []
        marks = ", ".join("?" * len(values))
        statement = (
            f'SELECT {columns} FROM "{table}" WHERE "{key}" IN ({marks}) AND {LIVE.replace(":now", "?")}'
        )
        try:
            return self.conn.execute(statement, [*values, now_ms]).fetchall()
        except sqlite3.OperationalError:  # the moderation tables are not built: nobody suspended
            return []


def create_app(floor: Floor) -> Starlette:
    async def following(request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        limit = int(request.query_params.get("limit", "20"))
        return Response(floor.page(floor.readers[token], limit), media_type="application/json")

    return Starlette(routes=[Route("/v1/feed/following", following), Route("/healthz", _ok)])


async def _ok(_: Request) -> Response:
    return Response(b"{}", media_type="application/json")


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m benchmarks.feed_floor", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--readers", type=Path, required=True, help="JSON: {token: user id}")
    args = parser.parse_args(argv)
    from strom.connection_guard import ClientLimits, guarded_protocol

    app = create_app(Floor(args.db, orjson.loads(args.readers.read_bytes())))
    protocol = guarded_protocol(ClientLimits())
    uvicorn.run(
        app,
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
