"""Table declarations as data, and the checks that keep rows within them.

Both adapters and the migrations read the same declarations, so a table means the same on SQLite and
Cassandra. Every value is checked and normalised here, before any engine sees it: a bad key fails as
our ``InvalidRow`` with the column named, never as a driver error half-way through a batch.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from read_models.errors import InvalidRow

Row = dict[str, Any]

NAME = re.compile(r"[a-z][a-z0-9_]{0,47}")  # unquoted-safe in CQL and SQLite; "_" is ours (hidden columns)
MAX_KEY_BYTES = 65535  # Cassandra's limit for a partition or clustering key component
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
MAX_TTL = 630_720_000  # Cassandra's ceiling: 20 years, in seconds


class ColumnType(StrEnum):
    TEXT = "text"
    INT = "bigint"
    FLOAT = "double"
    BOOL = "boolean"
    TIMESTAMP = "timestamp"
    UUID = "uuid"
    BLOB = "blob"
    TEXT_LIST = "list<text>"


class Order(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


TEXT, INT, FLOAT, BOOL = ColumnType.TEXT, ColumnType.INT, ColumnType.FLOAT, ColumnType.BOOL
TIMESTAMP, UUID, BLOB = ColumnType.TIMESTAMP, ColumnType.UUID, ColumnType.BLOB
TEXT_LIST = ColumnType.TEXT_LIST
ASC, DESC = Order.ASC, Order.DESC


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType


@dataclass(frozen=True, slots=True)
class Clustering:
    name: str
    order: Order = Order.ASC


def columns_of(**types: ColumnType) -> tuple[Column, ...]:
    """``columns_of(user_id=TEXT, at=TIMESTAMP)``: declaration order is kept."""
    return tuple(Column(name, type_) for name, type_ in types.items())


@dataclass(frozen=True)
class Table:
    """One access pattern: rows of one partition are read together, in clustering order."""

    name: str
    columns: tuple[Column, ...]
    partition_key: tuple[str, ...]
    clustering: tuple[Clustering, ...] = ()
    default_ttl: int | None = None

    def __post_init__(self) -> None:
        _check_declaration(self)

    @cached_property
    def types(self) -> dict[str, ColumnType]:
        return {c.name: c.type for c in self.columns}

    @cached_property
    def clustering_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.clustering)

    @cached_property
    def key_names(self) -> tuple[str, ...]:
        return self.partition_key + self.clustering_names

    @cached_property
    def value_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.name not in self.key_names)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Every column: keys first, in key order, then the others in declaration order."""
        return self.key_names + self.value_names

    @cached_property
    def name_set(self) -> frozenset[str]:
        return frozenset(self.names)

    @cached_property
    def normalisers(self) -> dict[str, Callable[[Any], Any]]:
        """What normalises each column's values: looked up once, not once a value written."""
        return {name: _NORMALISE[type_] for name, type_ in self.types.items()}

    def __hash__(self) -> int:
        """Worked out once: tables key the caches of every write and read (the generated hash
        would walk every column each time)."""
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash((self.name, self.columns, self.partition_key, self.clustering, self.default_ttl))


def _check_declaration(table: Table) -> None:
    def bad(reason: str) -> InvalidRow:
        return InvalidRow(table.name, f"bad declaration: {reason}")

    names = [c.name for c in table.columns]
    for name in [table.name, *names]:
        if not NAME.fullmatch(name):
            raise bad(f"{name!r} is not a name: lowercase letter first, then [a-z0-9_], ≤ 48 chars")
    if len(set(names)) != len(names):
        raise bad("a column is declared twice")
    if not table.partition_key:
        raise bad("no partition key")
    keys = table.partition_key + tuple(c.name for c in table.clustering)
    if len(set(keys)) != len(keys):
        raise bad("a key column is named twice")
    for key in keys:
        if key not in names:
            raise bad(f"key column {key!r} is not declared")
        if table.types[key] is ColumnType.TEXT_LIST:
            raise bad(f"key column {key!r} cannot be a list")
    if table.default_ttl is not None and not 0 < table.default_ttl <= MAX_TTL:
        raise bad(f"default_ttl must be within 1..{MAX_TTL} seconds")


# -- rows and keys -------------------------------------------------------------------------


def check_row(table: Table, row: Mapping[str, Any]) -> Row:
    """The whole row, normalised; columns it leaves out are ``None`` (an upsert replaces the row)."""
    if not table.name_set.issuperset(row):
        raise InvalidRow(table.name, f"unknown column(s) {sorted(row.keys() - table.name_set)}")
    out = {name: _key_value(table, name, row.get(name)) for name in table.key_names}
    normalisers = table.normalisers
    name = ""
    try:  # the hottest check of every projection: one call a column, not two
        for name in table.value_names:
            value = row.get(name)
            out[name] = None if value is None else normalisers[name](value)
    except (TypeError, ValueError) as exc:
        raise InvalidRow(table.name, f"column {name!r} ({table.types[name]}): {exc}") from None
    return out


def check_value(table: Table, name: str, value: Any) -> Any:
    """One value column's value, normalised (for code that changes a row it already holds checked)."""
    return _value(table, name, value)


def check_key(table: Table, key: Mapping[str, Any]) -> Row:
    """A full primary key: every partition and clustering column, nothing else."""
    return _exact(table, key, table.key_names, "primary key")


def check_partition(table: Table, partition: Mapping[str, Any]) -> Row:
    return _exact(table, partition, table.partition_key, "partition key")


def check_prefix(table: Table, values: Sequence[Any], what: str) -> tuple[Any, ...]:
    """A clustering bound: values for the first n clustering columns, in order."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidRow(table.name, f"{what} must be a tuple of clustering values, got {values!r}")
    if not 0 < len(values) <= len(table.clustering):
        raise InvalidRow(table.name, f"{what} must give 1..{len(table.clustering)} clustering values")
    return tuple(_key_value(table, name, v) for name, v in zip(table.clustering_names, values, strict=False))


def partition_of(table: Table, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in table.partition_key)


def _exact(table: Table, given: Mapping[str, Any], names: tuple[str, ...], what: str) -> Row:
    if len(given) != len(names) or not all(name in given for name in names):  # the same names
        raise InvalidRow(table.name, f"{what} must be exactly {list(names)}, got {sorted(given)}")
    return {name: _key_value(table, name, given[name]) for name in names}


def _key_value(table: Table, name: str, value: Any) -> Any:
    if value is None:
        raise InvalidRow(table.name, f"key column {name!r} is missing or None")
    value = _value(table, name, value)
    if value.__class__ is str and 0 < len(value) <= MAX_KEY_BYTES // 4:
        return value  # the usual key: text short enough in any encoding, and not empty
    if isinstance(value, str | bytes):
        short = isinstance(value, str) and len(value) * 4 <= MAX_KEY_BYTES  # UTF-8: ≤ 4 bytes a character
        size = len(value) if short or isinstance(value, bytes) else len(value.encode())
        if size > MAX_KEY_BYTES:
            raise InvalidRow(table.name, f"key column {name!r} is {size} bytes, over {MAX_KEY_BYTES}")
        if size == 0 and name in table.partition_key:
            raise InvalidRow(table.name, f"partition key column {name!r} is empty")
    return value


def _value(table: Table, name: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        return table.normalisers[name](value)
    except (TypeError, ValueError) as exc:
        raise InvalidRow(table.name, f"column {name!r} ({table.types[name]}): {exc}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    if value.isascii():
        return value
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("not encodable as UTF-8 (a lone surrogate?)") from None
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected int, got {type(value).__name__}")
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError("outside the 64-bit range")
    return value


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, float | int):
        raise TypeError(f"expected float, got {type(value).__name__}")
    if math.isnan(value):
        raise ValueError("NaN is not stored (SQLite turns it into NULL)")
    return float(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected bool, got {type(value).__name__}")
    return value


def _timestamp(value: Any) -> datetime:
    """UTC, truncated to milliseconds: what Cassandra keeps, so SQLite keeps exactly the same."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected datetime, got {type(value).__name__}")
    if value.tzinfo is UTC:  # as the domain makes them: only the truncation can be left to do
        micro = value.microsecond
        return value if micro % 1000 == 0 else value.replace(microsecond=micro - micro % 1000)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a naive datetime is ambiguous; give a time zone")
    moment: datetime = value.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"expected uuid.UUID, got {type(value).__name__}")
    return value


def _blob(value: Any) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"expected bytes, got {type(value).__name__}")
    return bytes(value)


def _text_list(value: Any) -> list[str] | None:
    """An empty list is stored as no list: Cassandra cannot tell them apart, so neither do we."""
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise TypeError(f"expected a list of str, got {type(value).__name__}")
    return [_text(v) for v in value] or None


_NORMALISE: dict[ColumnType, Callable[[Any], Any]] = {
    ColumnType.TEXT: _text,
    ColumnType.INT: _int,
    ColumnType.FLOAT: _float,
    ColumnType.BOOL: _bool,
    ColumnType.TIMESTAMP: _timestamp,
    ColumnType.UUID: _uuid,
    ColumnType.BLOB: _blob,
    ColumnType.TEXT_LIST: _text_list,
}
