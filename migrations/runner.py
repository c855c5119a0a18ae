"""Numbered, forward-only read-store migrations, recorded in the store they change.

Each migration is a list of operations generated from table declarations, so the same migration
creates the CQL table on Cassandra and its mirror on SQLite. Every operation is idempotent
(``IF NOT EXISTS``, add a column only when missing) and a migration is recorded only after all its
operations succeeded: one that fails half-way is reported with its number and simply re-run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from read_models.errors import MissingTable
from read_models.port import ReadStore
from read_models.tables import INT, TEXT, TIMESTAMP, Clustering, Column, Table, columns_of

SCOPE = "strom"
SCHEMA_MIGRATIONS = Table(
    "schema_migrations",
    columns=columns_of(scope=TEXT, number=INT, description=TEXT, applied_at=TIMESTAMP),
    partition_key=("scope",),
    clustering=(Clustering("number"),),
)


class Operation(Protocol):
    def apply(self, store: ReadStore) -> None:
        """Must be safe to repeat: a migration that failed half-way runs all its operations again."""


@dataclass(frozen=True)
class CreateTable:
    table: Table

    def apply(self, store: ReadStore) -> None:
        store.create_table(self.table)

    def __str__(self) -> str:
        return f"create table {self.table.name}"


@dataclass(frozen=True)
class AddColumn:
    """``table`` is the declaration as of this migration, the column included or not."""

    table: Table
    column: Column

    def apply(self, store: ReadStore) -> None:
        store.add_column(self.table, self.column)

    def __str__(self) -> str:
        return f"add column {self.table.name}.{self.column.name} {self.column.type}"


@dataclass(frozen=True)
class DropTable:
    table: Table

    def apply(self, store: ReadStore) -> None:
        store.drop_table(self.table)

    def __str__(self) -> str:
        return f"drop table {self.table.name}"


@dataclass(frozen=True)
class Migration:
    number: int
    description: str
    operations: tuple[Operation, ...]

    def __str__(self) -> str:
        return f"{self.number:04d} {self.description}"


@dataclass(frozen=True)
class Applied:
    number: int
    description: str
    applied_at: datetime

    def __str__(self) -> str:
        return f"{self.number:04d} {self.description}"


class MigrationFailed(Exception):
    """Names the migration; the ones before it stay applied, and a re-run starts again at this one."""

    def __init__(self, migration: Migration, cause: Exception) -> None:
        super().__init__(f"migration {migration} failed: {cause}; fix the cause and re-run `strom migrate`")
        self.number = migration.number
        self.migration = migration


def apply_pending(
    store: ReadStore,
    migrations: Sequence[Migration] | None = None,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[Migration]:
    """Applies, in number order, every migration the store has not recorded; returns them."""
    known = check_sequence(discover() if migrations is None else migrations)
    store.ensure_keyspace()
    store.create_table(SCHEMA_MIGRATIONS)
    done = {a.number for a in applied(store)}
    ran: list[Migration] = []
    for migration in known:
        if migration.number not in done:
            _apply(store, migration, clock())
            ran.append(migration)
    return ran


def status(
    store: ReadStore, migrations: Sequence[Migration] | None = None
) -> tuple[list[Applied], list[Migration]]:
    """What the store has recorded, and what it still lacks. Changes nothing."""
    known = check_sequence(discover() if migrations is None else migrations)
    try:
        done = applied(store)
    except MissingTable:
        done = []
    numbers = {a.number for a in done}
    return done, [m for m in known if m.number not in numbers]


def applied(store: ReadStore) -> list[Applied]:
    rows, cursor = [], None
    while True:
        page = store.page(SCHEMA_MIGRATIONS, {"scope": SCOPE}, limit=1000, cursor=cursor)
        rows += page.rows
        cursor = page.cursor
        if cursor is None:
            return [Applied(r["number"], r["description"] or "", r["applied_at"]) for r in rows]


def check_sequence(migrations: Sequence[Migration]) -> list[Migration]:
    numbers = [m.number for m in migrations]
    if len(set(numbers)) != len(numbers) or any(n < 1 for n in numbers):
        raise ValueError(f"migration numbers must be positive and unique, got {numbers}")
    return sorted(migrations, key=lambda m: m.number)


def discover() -> list[Migration]:
    """Every ``migrations/versions/mNNNN_*.py`` module's ``MIGRATION``; its number must match the name."""
    from migrations import versions

    found = []
    for info in pkgutil.iter_modules(versions.__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            migration = importlib.import_module(f"migrations.versions.{info.name}").MIGRATION
            if not isinstance(migration, Migration) or migration.number != int(info.name[1:5]):
                raise ValueError(
                    f"migrations/versions/{info.name}.py: MIGRATION must be number {info.name[1:5]}"
                )
            found.append(migration)
    return found


def _apply(store: ReadStore, migration: Migration, now: datetime) -> None:
    try:
        for operation in migration.operations:
            operation.apply(store)
        row = {
            "scope": SCOPE,
            "number": migration.number,
            "description": migration.description,
            "applied_at": now,
        }
        store.upsert(SCHEMA_MIGRATIONS, row)
    except Exception as exc:
        raise MigrationFailed(migration, exc) from exc
