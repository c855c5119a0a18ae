"""Read-store migrations: numbered, forward only, recorded in the store, safe to re-run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from migrations.runner import (
    SCHEMA_MIGRATIONS,
    AddColumn,
    CreateTable,
    Migration,
    MigrationFailed,
    apply_pending,
    discover,
    status,
)
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from read_models.tables import INT, TEXT, Column, Table, columns_of
from strom.migrate_cli import migrate_command
from tests.contract.read_store_backends import OPENERS

NOTES = Table("notes", columns_of(k=TEXT, v=TEXT), ("k",))
NOTES_2 = Table("notes", (*NOTES.columns, Column("stars", INT)), ("k",))
TAGS = Table("tags", columns_of(k=TEXT, tag=TEXT), ("k",), ())


class Flaky:
    """An operation that fails until it is fixed, like a migration with a bug in it."""

    def __init__(self) -> None:
        self.broken = True

    def apply(self, store: ReadStore) -> None:
        if self.broken:
            raise RuntimeError("boom")


def two() -> list[Migration]:
    return [
        Migration(1, "notes", (CreateTable(NOTES),)),
        Migration(2, "tags and stars", (CreateTable(TAGS), AddColumn(NOTES, Column("stars", INT)))),
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReadStore]:
    s = SQLiteReadStore(tmp_path / "read.db")
    yield s
    s.close()


def numbers(items: list[Migration]) -> list[int]:
    return [m.number for m in items]


def test_pending_migrations_are_applied_in_order_and_recorded(store: ReadStore) -> None:
    # When
    ran = apply_pending(store, list(reversed(two())))
    # Then
    assert numbers(ran) == [1, 2]
    store.upsert(NOTES_2, {"k": "a", "v": "x", "stars": 5})
    assert store.get(NOTES_2, {"k": "a"}) == {"k": "a", "v": "x", "stars": 5}
    applied, pending = status(store, two())
    assert [(a.number, a.description) for a in applied] == [(1, "notes"), (2, "tags and stars")]
    assert pending == []


def test_applying_again_is_a_no_op(store: ReadStore) -> None:
    apply_pending(store, two())
    store.upsert(NOTES_2, {"k": "a", "v": "kept", "stars": 1})
    assert apply_pending(store, two()) == []
    assert store.get(NOTES_2, {"k": "a"}) == {"k": "a", "v": "kept", "stars": 1}


def test_status_lists_pending_and_applied_without_changing_anything(store: ReadStore) -> None:
    # Given: nothing applied, not even the bookkeeping table
    applied, pending = status(store, two())
    assert (applied, numbers(pending)) == ([], [1, 2])
    # When
    apply_pending(store, two()[:1])
    # Then
    applied, pending = status(store, two())
    assert ([a.number for a in applied], numbers(pending)) == ([1], [2])
    assert str(pending[0]) == "0002 tags and stars"


def test_a_failing_migration_is_named_and_runs_again_once_fixed(store: ReadStore) -> None:
    # Given: migration 2 creates a table, then fails
    flaky = Flaky()
    broken = [*two()[:1], Migration(2, "tags then a bug", (CreateTable(TAGS), flaky))]
    # When
    with pytest.raises(MigrationFailed, match="migration 0002") as caught:
        apply_pending(store, broken)
    # Then
    assert caught.value.number == 2
    applied, pending = status(store, broken)
    assert ([a.number for a in applied], numbers(pending)) == ([1], [2])
    # When: fixed and re-run, the half-applied step is simply repeated
    flaky.broken = False
    assert numbers(apply_pending(store, broken)) == [2]
    assert status(store, broken)[1] == []


def test_duplicate_numbers_are_refused(store: ReadStore) -> None:
    with pytest.raises(ValueError, match="unique"):
        apply_pending(store, [*two(), Migration(2, "again", ())])


def test_the_shipped_migrations_apply_to_an_empty_store(store: ReadStore) -> None:
    shipped = discover()
    assert numbers(shipped) == list(range(1, len(shipped) + 1))
    assert numbers(apply_pending(store)) == numbers(shipped)
    assert status(store) == (status(store)[0], [])


@pytest.mark.parametrize("engine", sorted(OPENERS))
def test_migrations_apply_once_on_every_engine(engine: str, tmp_path: Path) -> None:
    table = Table(f"m_{uuid.uuid4().hex[:8]}", columns_of(k=TEXT, v=TEXT), ("k",))
    wider = Table(table.name, (*table.columns, Column("n", INT)), ("k",))
    steps = [
        Migration(1, "t", (CreateTable(table),)),
        Migration(2, "n", (AddColumn(table, Column("n", INT)),)),
    ]
    with OPENERS[engine](tmp_path) as store:
        assert numbers(apply_pending(store, steps)) == [1, 2]
        assert apply_pending(store, steps) == []
        store.upsert(wider, {"k": "a", "n": 1})
        assert store.get(wider, {"k": "a"}) == {"k": "a", "v": None, "n": 1}
        assert [a.number for a in status(store, steps)[0]] == [1, 2]
        store.drop_table(table)
        store.drop_table(SCHEMA_MIGRATIONS)


# -- the command ---------------------------------------------------------------------------


def cli() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("migrate")(migrate_command)
    return app


def test_strom_migrate_applies_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STROM_READSTORE_URL", f"sqlite:///{tmp_path}/read.db")
    runner = CliRunner()
    before = runner.invoke(cli(), ["migrate", "--status"])
    assert before.exit_code == 0, before.output
    assert "pending  0001" in before.output
    ran = runner.invoke(cli(), ["migrate"])
    assert ran.exit_code == 0, ran.output
    assert "applied  0001" in ran.output
    again = runner.invoke(cli(), ["migrate"])
    assert "nothing to apply" in again.output
    after = runner.invoke(cli(), ["migrate", "--status"])
    assert "0 pending" in after.output


def test_strom_migrate_names_the_hosts_it_cannot_reach(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("STROM_READSTORE_URL", f"cassandra://127.0.0.1:{port}/strom?connect_timeout=1")
    result = CliRunner().invoke(cli(), ["migrate"])
    assert result.exit_code == 2
    assert f"127.0.0.1:{port}" in result.output
