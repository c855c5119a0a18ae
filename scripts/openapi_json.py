"""Writes the API's OpenAPI document to ``web/openapi.json``, from which the web client's API types are
generated (``npm run gen`` in web/, ``make api-types`` for both steps).

The app is built as ``strom run`` builds it, on embedded stores in a temporary folder, with no server
started and no ``STROM_*`` variable read: the document is the same on every machine. A test
(tests/unit/test_web_client.py) fails when the committed document or types are not what the
server states now.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "web" / "openapi.json"
SECRET = "openapi-document-" + "Qv7mK2xZ" * 5


def document() -> dict[str, Any]:
    """The document the API serves at ``/openapi.json``."""
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from strom.serve import build_app
    from strom.settings import Settings

    with tempfile.TemporaryDirectory(prefix="strom-openapi-") as folder, _no_strom_variables():
        tmp = Path(folder)
        settings = Settings(
            data_dir=tmp,
            eventstore_url=f"sqlite:///{tmp}/events.db",
            readstore_url=f"sqlite:///{tmp}/read.db",
            keystore_url=f"sqlite:///{tmp}/keys.db",
            media_url=f"file://{tmp}/media",
            uploads_dir=tmp / "uploads",
            audit_signing_key=tmp / "audit" / "signing.key",
            jwt_secret=SecretStr(SECRET),
            web_dir=tmp / "dist",
        )
        app = build_app(settings)
        with TestClient(app):  # leaving it runs the app's shutdown, which closes the stores it opened
            return app.openapi()


def text(schema: dict[str, Any]) -> str:
    """As committed: the server's order kept (paths in the routers' order), two-space indents."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


@contextlib.contextmanager
def _no_strom_variables() -> Iterator[None]:
    saved = {k: v for k, v in os.environ.items() if k.startswith("STROM_")}
    for key in saved:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(saved)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write it (default: %(default)s)")
    args = parser.parse_args(argv)
    args.out.write_text(text(document()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
