"""Once an erasure is projected, the person's text (display name, bio, caption, comment, and their
handle, which the inboxes keep to resolve mentions) is in no file of the read store.

SQLite: not in unused space of the main file, and not in the WAL, which keeps earlier images of the
rewritten pages until SQLite happens to write over them; the store purges both itself.
Cassandra: old SSTables and the commit log keep the text until an operator runs the steps in
``CassandraReadStore.purge``; the test here runs them as an operator would
(``scripts/cassandra_node.py purge``) on the node ``make test`` starts, and scans its files.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from commands import accounts as handlers
from commands.context import Ports, Request
from domain import accounts
from domain.accounts.events import ProfileChanged
from domain.actors import Actor
from domain.engagement.comments import CommentPosted
from domain.videos.events import DeletionReason, VideoDeleted, VideoDraftCreated, VideoPublished
from domain.watching import ViewStarted
from migrations.runner import apply_pending
from projections.registry import ALL
from read_models import profiles
from read_models.cassandra import CassandraReadStore
from tests.contract.read_store_backends import CASSANDRA_ENV, REQUIRE_ENV, open_cassandra
from tests.unit.projections.world import World

ROOT = Path(__file__).resolve().parents[2]
NODE_SCRIPT = ROOT / "scripts" / "cassandra_node.py"
#: nodetool talks JMX, on the loopback address only; ops/cassandra/conf/jvm.options sets the port.
JMX_ENV = "STROM_TEST_CASSANDRA_JMX_PORT"
#: The node's storage folder (-Dcassandra.storagedir): data/ and commitlog/ are scanned there.
DATA_ENV = "STROM_TEST_CASSANDRA_DATA"


@dataclasses.dataclass(frozen=True)
class Person:
    user_id: str
    texts: list[str]
    erase: Callable[[], None]


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(handlers, "hash_password", cheap.hash)


@pytest.fixture(params=["as built", "without secure_delete"])
def world(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """On this machine's SQLite, and on a build that leaves freed bytes in place (its default varies)."""
    if request.param == "without secure_delete":
        connect = sqlite3.connect

        def connect_without_secure_delete(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            db: sqlite3.Connection = connect(*args, **kwargs)
            db.execute("PRAGMA secure_delete=OFF")
            return db

        monkeypatch.setattr(sqlite3, "connect", connect_without_secure_delete)
    w = World(tmp_path)
    yield w
    w.close()


def a_person_with_text(world: World) -> Person:
    """A person with a profile, a captioned and hashtagged video others watched (so it trends under
    its hashtag) and a comment, among 300 others, all projected."""
    ports = Ports(store=world.events, codec=world.codec, keys=world.keys)
    name, bio, caption, comment, hashtag = (
        f"{kind}{uuid.uuid4().hex}" for kind in ("Name", "bio", "caption", "comment", "tag")
    )
    new = handlers.NewAccount(
        f"p{uuid.uuid4().hex[:12]}", f"{uuid.uuid4().hex}@example.com", "correct horse battery", name
    )
    user_id = handlers.register_user(new, ports=ports, request=Request(handlers.ANONYMOUS)).user_id
    as_them = Request(Actor(user_id))
    handlers.change_profile(accounts.ChangeProfile(Actor(user_id), name, bio), ports=ports, request=as_them)
    video = str(uuid.uuid4())
    published = VideoPublished(video, user_id, caption, [hashtag], "public", True)
    world.given(VideoDraftCreated(video, user_id), published, stream=f"video-{video}")
    world.given(CommentPosted(str(uuid.uuid4()), video, user_id, comment), stream=f"comments-{user_id}")
    others = [str(uuid.uuid4()) for _ in range(300)]
    # Each view may move the video to a higher rank: a new row under its hashtag, a tombstone under
    # the old rank, and the hashtag in the keys of both.
    world.given(*(ViewStarted(f"c{i}", u, video) for i, u in enumerate(others[:40])), stream="views")
    world.given(*(ProfileChanged(u, f"Other {u}", "a bio " * 20) for u in others), stream="others")
    world.given(
        *(CommentPosted(str(uuid.uuid4()), video, u, "a comment " * 20) for u in others), stream="others"
    )
    project_all(world)

    def erase() -> None:
        erasure = accounts.RequestErasure(Actor(user_id), user_id)
        handlers.request_erasure(erasure, ports=ports, request=as_them)
        # as the erasure cascade deletes the person's videos
        world.given(VideoDeleted(video, user_id, DeletionReason.ERASURE.value), stream=f"video-{video}")
        project_all(world)
        card = profiles.profile(world.store, user_id)
        assert card is not None
        assert card.erased

    return Person(user_id, [name, bio, caption, comment, hashtag, new.handle], erase)


def project_all(world: World) -> None:
    for projector in ALL:
        world.project(projector)


def files_holding(files: list[Path], texts: list[str]) -> dict[str, list[str]]:
    """The files that hold any of the texts byte for byte, and which."""
    found = {}
    for file in files:
        data = file.read_bytes()
        if held := [t for t in texts if t.encode() in data]:
            found[file.name] = held
    return found


def test_an_erased_persons_text_is_in_no_file_of_the_sqlite_read_store(world: World, tmp_path: Path) -> None:
    # Given
    person = a_person_with_text(world)

    def read_store_files() -> list[Path]:
        return sorted(tmp_path.glob("read.db*"))  # where World keeps its read store, WAL and all

    assert set().union(*files_holding(read_store_files(), person.texts).values()) == set(person.texts)
    # When
    person.erase()
    # Then
    assert files_holding(read_store_files(), person.texts) == {}


# -- Cassandra: what the operator's steps achieve --------------------------------------------------


def jmx_port() -> int:
    """The node's JMX port; without one the test is skipped, or fails when Cassandra is required."""
    port = int(os.environ.get(JMX_ENV) or 7199)
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        missing = f"no JMX at 127.0.0.1:{port} ({JMX_ENV}): nodetool cannot reach the Cassandra node"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    return port


@dataclasses.dataclass(frozen=True)
class Node:
    world: World
    keyspace: str
    jmx_port: int
    cql_port: int
    storage: Path

    def run(self, *args: str) -> str:
        """``scripts/cassandra_node.py`` as an operator runs it; its output."""
        ports = ("--jmx-port", str(self.jmx_port))
        command = [sys.executable, str(NODE_SCRIPT), args[0], *ports, *args[1:]]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def files(self) -> list[Path]:
        """The keyspace's SSTables and the node's commit log."""
        found = [*(self.storage / "data" / self.keyspace).rglob("*"), *(self.storage / "commitlog").glob("*")]
        return [p for p in found if p.is_file()]


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    with open_cassandra(tmp_path) as store:
        assert isinstance(store, CassandraReadStore)
        port = jmx_port()
        apply_pending(store)
        w = World(tmp_path, read_store=store)
        cql_port = int(os.environ[CASSANDRA_ENV].rpartition(":")[2])
        storage = Path(os.environ.get(DATA_ENV, ROOT / ".cassandra" / "data"))
        yield Node(w, store.keyspace, port, cql_port, storage)
        w.events.close()
        w.keys.close()


def test_after_flush_compaction_and_a_new_commit_log_segment_cassandra_holds_no_erased_text(
    node: Node,
) -> None:
    # Given a person's rows in SSTables and the commit log
    person = a_person_with_text(node.world)
    node.run("nodetool", "flush", node.keyspace)
    assert set().union(*files_holding(node.files(), person.texts).values()) == set(person.texts)
    # When erased, then the operator's steps of ``CassandraReadStore.purge``
    person.erase()
    done = node.run("purge", "--port", str(node.cql_port), node.keyspace)
    # Then
    steps = [line.split()[0] for line in done.splitlines() if line[:1].isdigit()]
    assert steps == ["1.", "2.", "3.", "4.", "5."], done
    assert files_holding(node.files(), person.texts) == {}
