"""A whole write side on temporary SQLite files, driven through the real HTTP app."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import ROUTERS
from api.state import AppState
from commands.context import Ports
from domain.actors import Actor, Role
from eventstore.codec import EventCodec
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore

SECRET = "test-secret-" + "x9Yq2LmZ" * 5


@dataclasses.dataclass(frozen=True)
class User:
    user_id: str
    handle: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class System:
    def __init__(self, tmp: Path, **app_options: Any) -> None:
        self.keys = SQLiteKeyStore(tmp / "keys.db")
        self.store = SQLiteEventStore(tmp / "events.db")
        self.ports = Ports(store=self.store, codec=EventCodec(Sealer(self.keys)), keys=self.keys)
        options = {"write_rate_per_s": 1000.0, "write_burst": 1000, **app_options}
        self.app = create_app(self.ports, secret=SECRET, routers=ROUTERS, **options)
        self.client = TestClient(self.app, raise_server_exceptions=True)

    @property
    def state(self) -> AppState:
        state: AppState = self.app.state.strom
        return state

    def token_for(self, user_id: str, role: Role = Role.USER) -> str:
        return self.state.tokens.issue(Actor(user_id, role))

    def register(self, handle: str | None = None, role: Role = Role.USER) -> User:
        """Registers through the API and signs in with the role given (granted by an admin)."""
        handle = handle or f"u{uuid7().hex[-10:]}"
        body = {
            "handle": handle,
            "email": f"{handle}@example.com",
            "password": "correct horse battery",
            "display_name": handle.title(),
        }
        response = self.client.post("/v1/accounts", json=body)
        assert response.status_code == 201, response.text
        user_id = response.json()["user_id"]
        return User(user_id=user_id, handle=handle, token=self.token_for(user_id, role))

    def close(self) -> None:
        self.client.close()
        self.store.close()
        self.keys.close()


def system_fixture(tmp_path: Path) -> Iterator[System]:
    system = System(tmp_path)
    yield system
    system.close()
