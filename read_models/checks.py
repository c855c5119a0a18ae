"""Checks shared by both adapters, run before any engine is touched: write options, batches, limits,
and the opaque cursors. Keeping them in one place is what makes the adapters refuse the same things."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from read_models.cursors import CursorSeal
from read_models.errors import InvalidQuery
from read_models.port import MAX_LIMIT, CheckedWrite, Delete, Upsert, Write
from read_models.tables import (
    INT_MAX,
    MAX_TTL,
    Row,
    Table,
    check_key,
    check_partition,
    check_prefix,
    check_row,
    check_value,
    partition_of,
)

#: The kind of the cursors of ``ReadStore.page``.
PAGE = "page"


@dataclass(frozen=True, slots=True)
class CheckedPage:
    partition: Row
    start: tuple[Any, ...] | None
    end: tuple[Any, ...] | None
    descending: bool
    limit: int
    fingerprint: bytes


def check_write(table: Table, write: Write) -> CheckedWrite:
    if isinstance(write, Upsert):
        return CheckedWrite(
            check_row(table, write.row), False, check_timestamp(write.timestamp), check_ttl(write.ttl)
        )
    if isinstance(write, Delete):
        return CheckedWrite(check_key(table, write.key), True, check_timestamp(write.timestamp), None)
    raise InvalidQuery(f"not a write: {write!r}")


def check_batch(table: Table, writes: Sequence[Write]) -> list[CheckedWrite]:
    """Every write checked, and all in one partition: Cassandra is atomic only within one."""
    checked = [check_write(table, w) for w in writes]
    partitions = {partition_of(table, w.values) for w in checked}
    if len(partitions) > 1:
        raise InvalidQuery(f"table {table.name!r}: a batch spans {len(partitions)} partitions, not one")
    return checked


def check_expected(table: Table, expected: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The value columns a conditional write compares, in the table's order, and their values
    normalised as stored. A key column is the write's own key, so it is no condition; nor is a
    missing value, which Cassandra would compare as no cell at all."""
    if not set(expected) <= set(table.value_names):
        raise InvalidQuery(f"table {table.name!r}: only value columns are compared, got {sorted(expected)}")
    names = tuple(n for n in table.value_names if n in expected)
    values = tuple(check_value(table, n, expected[n]) for n in names)
    if any(v is None for v in values):
        raise InvalidQuery(f"table {table.name!r}: an expected value cannot be None")
    return names, values


def check_replace(
    table: Table, row: Mapping[str, Any], expected: Mapping[str, Any], ttl: int | None
) -> tuple[CheckedWrite, tuple[str, ...], tuple[Any, ...]]:
    """A ``replace_if``: the row as an upsert writes it, and what it expects."""
    if not table.value_names:
        raise InvalidQuery(f"table {table.name!r} has only key columns: nothing to replace")
    names, values = check_expected(table, expected)
    return check_write(table, Upsert(row, None, ttl)), names, values


def check_timestamp(timestamp: int | None) -> int | None:
    if timestamp is None:
        return None
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or not 0 <= timestamp <= INT_MAX:
        raise InvalidQuery(f"write timestamp must be an int within 0..2**63-1, got {timestamp!r}")
    return timestamp


def check_position(position: int) -> int:
    """A write timestamp that must be there: a projector's writes carry their event's position."""
    checked = check_timestamp(position)
    if checked is None:
        raise InvalidQuery("a projector's write needs its event's position")
    return checked


def check_ttl(ttl: int | None) -> int | None:
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= MAX_TTL:
        raise InvalidQuery(f"ttl must be an int within 0..{MAX_TTL} seconds, got {ttl!r}")
    return ttl


def check_page(
    table: Table,
    partition: Mapping[str, Any],
    start: Sequence[Any] | None,
    end: Sequence[Any] | None,
    descending: bool,
    limit: int,
) -> CheckedPage:
    check_limit(limit)
    key = check_partition(table, partition)
    low = None if start is None else check_prefix(table, start, "start")
    high = None if end is None else check_prefix(table, end, "end")
    identity = repr((table.name, table.names, tuple(key.values()), low, high, bool(descending)))
    fingerprint = hashlib.blake2b(identity.encode(), digest_size=8).digest()
    return CheckedPage(key, low, high, bool(descending), limit, fingerprint)


def check_first_rows(
    table: Table, partitions: Sequence[Mapping[str, Any]], end: Sequence[Any] | None, limit: int
) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    """Each partition's key values (in partition key order) and the end's: no cursor to fingerprint."""
    check_limit(limit)
    keys = [tuple(check_partition(table, p).values()) for p in partitions]
    return keys, () if end is None else check_prefix(table, end, "end")


def check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be within 1..{MAX_LIMIT}, got {limit!r}")


def encode_cursor(cursors: CursorSeal, query: CheckedPage, state: bytes) -> str:
    """Sealed, so it names no row; carries the query's fingerprint so it cannot be replayed elsewhere."""
    return cursors.seal(PAGE, query.fingerprint + state)


def decode_cursor(cursors: CursorSeal, query: CheckedPage, cursor: str) -> bytes:
    raw = cursors.open(PAGE, cursor)
    if len(raw) <= len(query.fingerprint) or raw[: len(query.fingerprint)] != query.fingerprint:
        raise InvalidQuery("this cursor belongs to another query")
    return raw[len(query.fingerprint) :]
