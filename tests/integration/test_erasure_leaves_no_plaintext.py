"""Once an erasure is projected, the person's text (display name, bio, caption, comment) is in no
file of the read store.

SQLite: not in unused space of the main file, and not in the WAL, which keeps earlier images of the
rewritten pages until SQLite happens to write over them; the store purges both itself.
Cassandra: old SSTables and the commit log keep the text until an operator runs the steps in
``CassandraReadStore.purge``; the test here runs them on a real node and scans its files.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sqlite3
import subprocess
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
from domain.videos.events import VideoDraftCreated, VideoPublished
from migrations.runner import apply_pending
from projections.registry import ALL
from read_models import profiles
from read_models.cassandra import CassandraReadStore
from read_models.tables import TEXT, Table, columns_of
from tests.contract.read_store_backends import open_cassandra
from tests.unit.projections.world import World

ROOT = Path(__file__).resolve().parents[2]
#: nodetool talks JMX; the node must be started with -Dcassandra.jmx.local.port=<port>.
JMX_ENV = "STROM_TEST_CASSANDRA_JMX"
#: The node's storage folder (-Dcassandra.storagedir): data/ and commitlog/ are scanned there.
DATA_ENV = "STROM_TEST_CASSANDRA_DATA"
NODETOOL_JVM = [
    "-Xmx256m",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
]


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
    """A person with a profile, a captioned video and a comment, among 300 others, all projected."""
    ports = Ports(store=world.events, codec=world.codec, keys=world.keys)
    name, bio, caption, comment = (
        f"{kind}{uuid.uuid4().hex}" for kind in ("Name", "bio", "caption", "comment")
    )
    new = handlers.NewAccount(
        f"p{uuid.uuid4().hex[:12]}", f"{uuid.uuid4().hex}@example.com", "correct horse battery", name
    )
    user_id = handlers.register_user(new, ports=ports, request=Request(handlers.ANONYMOUS)).user_id
    as_them = Request(Actor(user_id))
    handlers.change_profile(accounts.ChangeProfile(Actor(user_id), name, bio), ports=ports, request=as_them)
    video = str(uuid.uuid4())
    published = VideoPublished(video, user_id, caption, [], "public", True)
    world.given(VideoDraftCreated(video, user_id), published, stream=f"video-{video}")
    world.given(CommentPosted(str(uuid.uuid4()), video, user_id, comment), stream=f"comments-{user_id}")
    others = [str(uuid.uuid4()) for _ in range(300)]
    world.given(*(ProfileChanged(u, f"Other {u}", "a bio " * 20) for u in others), stream="others")
    world.given(
        *(CommentPosted(str(uuid.uuid4()), video, u, "a comment " * 20) for u in others), stream="others"
    )
    project_all(world)

    def erase() -> None:
        erasure = accounts.RequestErasure(Actor(user_id), user_id)
        handlers.request_erasure(erasure, ports=ports, request=as_them)
        project_all(world)
        card = profiles.profile(world.store, user_id)
        assert card is not None
        assert card.erased

    return Person(user_id, [name, bio, caption, comment], erase)


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


def jmx_address() -> tuple[str, int]:
    host, _, port = os.environ.get(JMX_ENV, "127.0.0.1:7199").rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        pytest.skip(f"no JMX at {host}:{port} ({JMX_ENV}): nodetool cannot reach the Cassandra node")
    return host, int(port)


def nodetool(jmx: tuple[str, int], *args: str) -> None:
    """Cassandra's own nodetool, from the jars ``scripts/cassandra_node.py`` resolved."""
    classpath = ":".join(str(jar) for jar in sorted((ROOT / ".cassandra" / "lib").glob("*.jar")))
    command = ["java", *NODETOOL_JVM, "-cp", classpath, "org.apache.cassandra.tools.NodeTool"]
    command += ["-h", jmx[0], "-p", str(jmx[1]), *args]
    subprocess.run(command, check=True, capture_output=True, timeout=300)


@dataclasses.dataclass(frozen=True)
class Node:
    world: World
    keyspace: str
    jmx: tuple[str, int]
    storage: Path

    def files(self) -> list[Path]:
        """The keyspace's SSTables and the node's commit log."""
        found = [*(self.storage / "data" / self.keyspace).rglob("*"), *(self.storage / "commitlog").glob("*")]
        return [p for p in found if p.is_file()]


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    with open_cassandra(tmp_path) as store:
        assert isinstance(store, CassandraReadStore)
        jmx = jmx_address()
        apply_pending(store)
        w = World(tmp_path, read_store=store)
        yield Node(w, store.keyspace, jmx, Path(os.environ.get(DATA_ENV, ROOT / ".cassandra" / "data")))
        w.events.close()
        w.keys.close()


def test_after_flush_compaction_and_a_new_commit_log_segment_cassandra_holds_no_erased_text(
    node: Node,
) -> None:
    # Given a person's rows in SSTables and the commit log
    person = a_person_with_text(node.world)
    nodetool(node.jmx, "flush", node.keyspace)
    assert set().union(*files_holding(node.files(), person.texts).values()) == set(person.texts)
    # When erased, then the operator's steps of ``CassandraReadStore.purge``
    person.erase()
    nodetool(node.jmx, "flush", node.keyspace)
    nodetool(node.jmx, "compact", node.keyspace)
    scratch = Table(f"scratch_{uuid.uuid4().hex[:8]}", columns_of(k=TEXT), ("k",))
    node.world.store.create_table(scratch)
    node.world.store.drop_table(scratch)  # a dropped table recycles every commit-log segment
    # Then
    assert files_holding(node.files(), person.texts) == {}
