"""SQL for the SQLite read store, generated from the table declarations (as the CQL is).

Each table is ``WITHOUT ROWID`` with the primary key in clustering order, so a partition is one
contiguous range of the key. Three hidden columns carry Cassandra's semantics: ``_ts`` (the write
timestamp that last won), ``_deleted`` (a tombstone) and ``_expires_at`` (TTL, milliseconds).
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from read_models.checks import CheckedPage
from read_models.tables import Column, ColumnType, Order, Table

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)
LIVE = '"_deleted" = 0 AND ("_expires_at" IS NULL OR "_expires_at" > ?)'

_SQL_TYPES = {
    ColumnType.TEXT: "TEXT",
    ColumnType.INT: "INTEGER",
    ColumnType.FLOAT: "REAL",
    ColumnType.BOOL: "INTEGER",
    ColumnType.TIMESTAMP: "INTEGER",
    ColumnType.UUID: "BLOB",
    ColumnType.BLOB: "BLOB",
    ColumnType.TEXT_LIST: "TEXT",
}


def q(name: str) -> str:
    return f'"{name}"'


def names(columns: tuple[str, ...]) -> str:
    return ", ".join(q(c) for c in columns)


# -- values ---------------------------------------------------------------------------------


def to_sql(type_: ColumnType, value: Any) -> Any:
    """A normalised value as SQLite stores it; the order of stored keys is Cassandra's order."""
    if value is None:
        return None
    if type_ is ColumnType.TIMESTAMP:
        return (value - EPOCH) // MS
    if type_ is ColumnType.UUID:
        return value.bytes  # byte order: Cassandra's order among UUIDs of one version (v4, v7)
    if type_ is ColumnType.TEXT_LIST:
        return json.dumps(value, ensure_ascii=False)
    if type_ is ColumnType.BOOL:
        return int(value)
    return value


def from_sql(type_: ColumnType, value: Any) -> Any:
    read = _READ[type_]
    return value if read is None else read(value)


def reader(type_: ColumnType) -> Callable[[Any], Any]:
    """How a value of ``type_`` is read back, for a hot loop to take once: ``from_sql`` looks the
    type up each call, and an enum member's hash is a Python call (two thirds of its cost)."""
    read = _READ[type_]
    return _as_stored if read is None else read


def _as_stored(value: Any) -> Any:
    return value


def readers(table: Table) -> tuple[Callable[[Any], Any] | None, ...]:
    """How each column of ``table`` (in ``table.names`` order) is read back; ``None``: as stored.
    Worked out once a table by the store, since a page or a batch of keys reads many rows of one."""
    return tuple(_READ[table.types[name]] for name in table.names)


def _text_list(value: Any) -> list[str]:
    return [] if value is None else orjson.loads(value)


def _timestamp(value: Any) -> datetime | None:
    return None if value is None else EPOCH + value * MS


def _uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(bytes=value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


_READ: dict[ColumnType, Callable[[Any], Any] | None] = {
    ColumnType.TEXT: None,
    ColumnType.INT: None,
    ColumnType.FLOAT: None,
    ColumnType.BLOB: None,
    ColumnType.BOOL: _bool,
    ColumnType.TIMESTAMP: _timestamp,
    ColumnType.UUID: _uuid,
    ColumnType.TEXT_LIST: _text_list,
}


# -- DDL ------------------------------------------------------------------------------------


def create_table(table: Table) -> str:
    columns = [f"{q(c.name)} {_SQL_TYPES[c.type]}" for c in table.columns]
    key = [q(n) for n in table.partition_key]
    key += [q(c.name) + (" DESC" if c.order is Order.DESC else "") for c in table.clustering]
    hidden = ['"_ts" INTEGER NOT NULL', '"_deleted" INTEGER NOT NULL', '"_expires_at" INTEGER']
    body = ", ".join([*columns, *hidden, f"PRIMARY KEY ({', '.join(key)})"])
    return f"CREATE TABLE IF NOT EXISTS {q(table.name)} ({body}) WITHOUT ROWID, STRICT"


def add_column(table: Table, column: Column) -> str:
    return f"ALTER TABLE {q(table.name)} ADD COLUMN {q(column.name)} {_SQL_TYPES[column.type]}"


# -- DML ------------------------------------------------------------------------------------


@functools.cache
def upsert(table: Table) -> str:
    """Applies only over an older write; at equal timestamps a tombstone stays (as in Cassandra)."""
    cols = table.names
    values = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in table.value_names)
    sets = f"{values + ', ' if values else ''}" + '"_ts" = excluded."_ts", "_deleted" = 0'
    return (
        f'INSERT INTO {q(table.name)} ({names(cols)}, "_ts", "_deleted", "_expires_at") '
        f"VALUES ({', '.join('?' * len(cols))}, ?, 0, ?) "
        f"ON CONFLICT ({names(table.key_names)}) DO UPDATE SET {sets}, "
        f'"_expires_at" = excluded."_expires_at" '
        f'WHERE excluded."_ts" > {q(table.name)}."_ts" '
        f'OR (excluded."_ts" = {q(table.name)}."_ts" AND {q(table.name)}."_deleted" = 0)'
    )


@functools.cache
def delete(table: Table) -> str:
    """A tombstone: the row stays, emptied, with the delete's timestamp, to hide older writes."""
    keys = table.key_names
    clears = "".join(f"{q(c)} = NULL, " for c in table.value_names)
    return (
        f'INSERT INTO {q(table.name)} ({names(keys)}, "_ts", "_deleted", "_expires_at") '
        f"VALUES ({', '.join('?' * len(keys))}, ?, 1, NULL) "
        f"ON CONFLICT ({names(keys)}) DO UPDATE SET {clears}"
        f'"_ts" = excluded."_ts", "_deleted" = 1, "_expires_at" = NULL '
        f'WHERE excluded."_ts" >= {q(table.name)}."_ts"'
    )


@functools.cache
def drop_dead(table: Table) -> str:
    """Tombstones and expired rows no longer needed to hide older writes (``SQLiteReadStore.forget``)."""
    return f'DELETE FROM {q(table.name)} WHERE ("_deleted" = 1 OR "_expires_at" <= ?) AND "_ts" <= ?'


@functools.cache
def get(table: Table) -> str:
    where = " AND ".join(f"{q(c)} = ?" for c in table.key_names)
    return f"SELECT {names(table.names)} FROM {q(table.name)} WHERE {where} AND {LIVE}"


@functools.cache
def get_many(table: Table, count: int) -> str:
    """Rows by a list of full keys: the keys, a VALUES list, joined to the table by its primary key.

    Not ``WHERE (a, b) IN (VALUES …)``: SQLite seeks the primary key for that only when the key is
    one column, and otherwise scans the whole table once per statement (a rebuild's look-up of
    trending's ranking rows spent 40 % of a 1M-event run scanning them). ``CROSS JOIN`` keeps the
    keys as the outer loop, so each is one seek."""
    table_name = q(table.name)
    row = "(" + ", ".join("?" * len(table.key_names)) + ")"
    values = ", ".join([row] * count)
    on = " AND ".join(f"{table_name}.{q(c)} = k.column{i}" for i, c in enumerate(table.key_names, start=1))
    columns = ", ".join(f"{table_name}.{q(c)}" for c in table.names)
    return f"SELECT {columns} FROM (VALUES {values}) AS k CROSS JOIN {table_name} ON {on} WHERE {LIVE}"


@functools.cache
def scan(table: Table) -> str:
    return f"SELECT {names(table.names)} FROM {q(table.name)} WHERE {LIVE}"


def page(
    table: Table, query: CheckedPage, after: tuple[Any, ...] | None, now_ms: int
) -> tuple[str, list[Any]]:
    """A keyset page: bounds compare by value (row values), the cursor by reading order."""
    where = [f"{q(c)} = ?" for c in table.partition_key] + [LIVE]
    params: list[Any] = [*_stored(table, table.partition_key, tuple(query.partition.values()))]
    params.append(now_ms)
    for bound, op in ((query.start, ">="), (query.end, "<")):
        if bound is not None:
            cols = table.clustering_names[: len(bound)]
            where.append(f"({names(cols)}) {op} ({', '.join('?' * len(bound))})")
            params += _stored(table, cols, bound)
    if after is not None:
        sql, values = _after(table, query.descending, after)
        where.append(sql)
        params += values
    order = ", ".join(f"{q(c.name)} {_direction(c.order, query.descending)}" for c in table.clustering)
    sql = f"SELECT {names(table.names)} FROM {q(table.name)} WHERE {' AND '.join(where)}"
    return (f"{sql} ORDER BY {order} LIMIT ?" if order else f"{sql} LIMIT ?"), params


def _after(table: Table, descending: bool, last: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """Rows strictly after ``last`` in reading order; the leading term lets SQLite seek the index."""
    ops = [">" if _direction(c.order, descending) == "ASC" else "<" for c in table.clustering]
    terms, params = [], []
    for i, op in enumerate(ops):
        equal = [f"{q(c)} = ?" for c in table.clustering_names[:i]]
        terms.append("(" + " AND ".join([*equal, f"{q(table.clustering_names[i])} {op} ?"]) + ")")
        params += [*last[:i], last[i]]
    lead = f"{q(table.clustering_names[0])} {ops[0]}= ?"
    return f"({lead} AND ({' OR '.join(terms)}))", [last[0], *params]


def _direction(order: Order, descending: bool) -> str:
    return "DESC" if (order is Order.DESC) != descending else "ASC"


def _stored(table: Table, cols: tuple[str, ...], values: tuple[Any, ...]) -> list[Any]:
    return [to_sql(table.types[c], v) for c, v in zip(cols, values, strict=True)]
