"""Errors of the read store. Adapters translate driver errors into these and never leak the driver's,
so the API and the projection runner can decide what to do without knowing the engine."""

from __future__ import annotations

from collections.abc import Sequence


class ReadStoreError(Exception):
    """Base of every read-store failure."""


class InvalidRow(ReadStoreError, ValueError):
    """A row, key or value does not fit its table's declaration; nothing was sent to the engine."""

    def __init__(self, table: str, reason: str) -> None:
        super().__init__(f"table {table!r}: {reason}")
        self.table = table
        self.reason = reason


class InvalidQuery(ReadStoreError, ValueError):
    """A query or batch is malformed: a limit out of range, a foreign cursor, a batch over partitions."""


class MissingTable(ReadStoreError):
    """The table (or the keyspace) does not exist yet: the read store needs ``strom migrate``."""

    def __init__(self, table: str, detail: str = "") -> None:
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"table {table!r} does not exist: run `strom migrate`{suffix}")
        self.table = table


class ReadStoreUnavailable(ReadStoreError):
    """The store cannot be reached at all; names the hosts so an operator knows where to look."""

    def __init__(self, hosts: Sequence[str], detail: str) -> None:
        super().__init__(f"read store unavailable at {', '.join(hosts)}: {detail}")
        self.hosts = tuple(hosts)
        self.detail = detail


class RetryableError(ReadStoreError):
    """A request timed out or lacked replicas. Writes are idempotent (last write wins), so retry."""


class RetryableWriteError(RetryableError):
    """A write timed out: it may or may not have been applied. Retrying the same write is safe,
    except for ``insert_if_absent``, whose retry may answer ``False`` to its own first attempt."""


class RetryableReadError(RetryableError):
    """A read timed out or too few replicas answered."""
