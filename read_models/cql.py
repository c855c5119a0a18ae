"""CQL generated from the table declarations: the DDL the migrations apply and the statements the
Cassandra adapter prepares. Identifiers are always quoted, so a column may be named like a keyword."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from read_models.tables import Column, ColumnType, Order, Table

_CQL_TYPES = {
    # Frozen: one cell, so a replayed write replaces the list instead of appending to it.
    ColumnType.TEXT_LIST: "frozen<list<text>>",
}


def q(name: str) -> str:
    return f'"{name}"'


def qualified(keyspace: str, table: Table) -> str:
    return f"{q(keyspace)}.{q(table.name)}"


def cql_type(type_: ColumnType) -> str:
    return _CQL_TYPES.get(type_, type_.value)


# -- DDL ------------------------------------------------------------------------------------


def create_keyspace(keyspace: str, replication: Mapping[str, str | int]) -> str:
    options = ", ".join(
        f"'{k}': {v!r}" if isinstance(v, str) else f"'{k}': {v}" for k, v in replication.items()
    )
    return f"CREATE KEYSPACE IF NOT EXISTS {q(keyspace)} WITH replication = {{{options}}}"


def create_table(keyspace: str, table: Table) -> str:
    columns = [f"{q(c.name)} {cql_type(c.type)}" for c in table.columns]
    partition = f"({', '.join(q(n) for n in table.partition_key)})"
    key = ", ".join([partition, *(q(c.name) for c in table.clustering)])
    options = []
    if table.clustering:
        order = ", ".join(f"{q(c.name)} {c.order.value}" for c in table.clustering)
        options.append(f"CLUSTERING ORDER BY ({order})")
    if table.default_ttl:
        options.append(f"default_time_to_live = {table.default_ttl}")
    with_ = f" WITH {' AND '.join(options)}" if options else ""
    body = ", ".join([*columns, f"PRIMARY KEY ({key})"])
    return f"CREATE TABLE IF NOT EXISTS {qualified(keyspace, table)} ({body}){with_}"


def add_column(keyspace: str, table: Table, column: Column) -> str:
    return f"ALTER TABLE {qualified(keyspace, table)} ADD {q(column.name)} {cql_type(column.type)}"


def drop_table(keyspace: str, table: Table) -> str:
    return f"DROP TABLE IF EXISTS {qualified(keyspace, table)}"


# -- DML ------------------------------------------------------------------------------------


@functools.cache
def upsert(keyspace: str, table: Table, *, timestamp: bool, ttl: bool, if_not_exists: bool = False) -> str:
    """Binds every column, keys first (``table.names``), then the timestamp, then the TTL."""
    cols = ", ".join(q(c) for c in table.names)
    marks = ", ".join("?" * len(table.names))
    using = [u for u, on in (("TIMESTAMP ?", timestamp), ("TTL ?", ttl)) if on]
    tail = " IF NOT EXISTS" if if_not_exists else ""
    tail += f" USING {' AND '.join(using)}" if using else ""
    return f"INSERT INTO {qualified(keyspace, table)} ({cols}) VALUES ({marks}){tail}"


@functools.cache
def delete(
    keyspace: str, table: Table, *, timestamp: bool, if_exists: bool = False, if_equal: tuple[str, ...] = ()
) -> str:
    """Binds the timestamp first (when given), then the primary key, then the ``if_equal`` values."""
    using = " USING TIMESTAMP ?" if timestamp else ""
    tail = f" IF {_equal(if_equal)}" if if_equal else " IF EXISTS" if if_exists else ""
    return f"DELETE FROM {qualified(keyspace, table)}{using} WHERE {_equal(table.key_names)}{tail}"


@functools.cache
def update_if(keyspace: str, table: Table, *, ttl: bool, if_equal: tuple[str, ...]) -> str:
    """Sets every value column where the row exists and holds the ``if_equal`` values. Binds the TTL
    first (when given), then the value columns, then the primary key, then the ``if_equal`` values."""
    using = " USING TTL ?" if ttl else ""
    columns = ", ".join(f"{q(c)} = ?" for c in table.value_names)
    where = _equal(table.key_names)
    condition = _equal(if_equal) if if_equal else "EXISTS"
    return f"UPDATE {qualified(keyspace, table)}{using} SET {columns} WHERE {where} IF {condition}"


@functools.cache
def get(keyspace: str, table: Table) -> str:
    return f"SELECT {_select(table)} FROM {qualified(keyspace, table)} WHERE {_equal(table.key_names)}"


@functools.cache
def scan(keyspace: str, table: Table) -> str:
    return f"SELECT {_select(table)} FROM {qualified(keyspace, table)}"


@functools.cache
def page(keyspace: str, table: Table, *, start: int, end: int, descending: bool) -> str:
    """``start``/``end``: how many clustering values each bound has (0: none). Binds the partition
    key, then the start values, then the end values."""
    return _slice_of(keyspace, table, _equal(table.partition_key), start, end, descending)


@functools.cache
def first_rows(keyspace: str, table: Table, *, end: int) -> str:
    """The first rows of many partitions in one statement, in clustering order (with ``IN`` on the
    partition key, Cassandra pages no reversed order): binds a list of values for each partition key
    column (the partitions read are every combination of them), then the end values, then the rows
    each partition gives at most."""
    partitions = " AND ".join(f"{q(n)} IN ?" for n in table.partition_key)
    return f"{_slice_of(keyspace, table, partitions, 0, end, False)} PER PARTITION LIMIT ?"


def _slice_of(keyspace: str, table: Table, partitions: str, start: int, end: int, descending: bool) -> str:
    where = [partitions]
    tuple_form = max(start, end) > 1  # Cassandra refuses single- and multi-column slices mixed
    for size, op in ((start, ">="), (end, "<")):
        if size:
            where.append(_slice(table.clustering_names[:size], op, tuple_form))
    sql = f"SELECT {_select(table)} FROM {qualified(keyspace, table)} WHERE {' AND '.join(where)}"
    if descending and table.clustering:
        flipped = (f"{q(c.name)} {'ASC' if c.order is Order.DESC else 'DESC'}" for c in table.clustering)
        sql += f" ORDER BY {', '.join(flipped)}"
    return sql


def _select(table: Table) -> str:
    return ", ".join(q(c) for c in table.names)


def _equal(names: tuple[str, ...]) -> str:
    return " AND ".join(f"{q(n)} = ?" for n in names)


def _slice(names: tuple[str, ...], op: str, tuple_form: bool) -> str:
    if not tuple_form:
        return f"{q(names[0])} {op} ?"
    return f"({', '.join(q(n) for n in names)}) {op} ({', '.join('?' * len(names))})"
