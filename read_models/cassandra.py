"""The production read store: Cassandra 5.0 through the DataStax driver.

It connects on first use (or ``connect``/``ping``), so an API whose Cassandra is down still starts
and reports "not ready" instead of crashing; every failure to reach a node names the hosts. Statements
are prepared once per (table, operation, shape) and routed token-aware to a replica of the partition;
each operation has its own consistency level. Pages use Cassandra's paging state, sealed
(``read_models.cursors``), as the cursor: in the clear it holds the key of the last row read.
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cassandra import (
    ConsistencyLevel,
    DriverException,
    InvalidRequest,
    OperationTimedOut,
    ReadTimeout,
    Unavailable,
    UnresolvableContactPoints,
    WriteTimeout,
)
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable, Session
from cassandra.concurrent import execute_concurrent
from cassandra.policies import DCAwareRoundRobinPolicy, TokenAwarePolicy
from cassandra.query import BatchStatement, BatchType, PreparedStatement, SimpleStatement, tuple_factory

from read_models import cql
from read_models.cassandra_config import CONDITIONAL, CassandraConfig, parse_url
from read_models.checks import (
    check_batch,
    check_expected,
    check_first_rows,
    check_page,
    check_replace,
    check_write,
    decode_cursor,
    encode_cursor,
)
from read_models.cursors import CursorSeal, process_seal
from read_models.errors import (
    MissingTable,
    ReadStoreError,
    ReadStoreUnavailable,
    RetryableReadError,
    RetryableWriteError,
)
from read_models.port import CheckedWrite, Delete, FirstRows, Page, TableWrite, Upsert, Write
from read_models.tables import Column, ColumnType, Row, Table, check_key

Timeouts = (WriteTimeout, ReadTimeout, OperationTimedOut, Unavailable)
ConnectFailures = (NoHostAvailable, UnresolvableContactPoints, OperationTimedOut, OSError)

SCHEMA_TIMEOUT_S = 60.0
#: Reads in flight at once for ``get_many``.
READ_CONCURRENCY = 64
#: Requests in flight per wave of ``write_all``.
WRITE_CONCURRENCY = 64
#: Writes sent as one unlogged batch at most: this many, of about this many bytes as the node counts
#: them (values, and a timestamp and flags a cell: ``CELL_BYTES``), so that a batch stays under the
#: size at which Cassandra warns (5 KiB by default) and far from the one at which it refuses (50 KiB).
BATCH_WRITES = 32
BATCH_BYTES = 2560
CELL_BYTES = 9
#: What each element of a list costs beyond its value: a cell of its own, named by a time UUID.
ELEMENT_BYTES = CELL_BYTES + 16
#: Rows one ``first_rows`` statement may return at most: the partitions it reads × the rows each;
#: and the partitions it reads at most, so that no coordinator waits on a long list of replicas.
FIRST_ROWS_PER_STATEMENT = 5000
PARTITIONS_PER_STATEMENT = 16


class CassandraReadStore:
    engine = "cassandra"

    def __init__(self, config: CassandraConfig, *, cursors: CursorSeal | None = None) -> None:
        self.config = config
        self.cursors = cursors or process_seal()
        self.keyspace = config.keyspace
        self._cluster: Cluster | None = None
        self._session: Session | None = None
        self._prepared: dict[tuple[Table, str, tuple[Any, ...]], PreparedStatement] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, *, cursors: CursorSeal | None = None) -> CassandraReadStore:
        return cls(parse_url(url), cursors=cursors)

    # -- connection -------------------------------------------------------------------------

    def connect(self) -> Session:
        """The session, connecting first if needed; a failed attempt is retried on the next call."""
        with self._lock:
            if self._session is None:
                self._session = self._open()
            return self._session

    def _open(self) -> Session:
        profile = ExecutionProfile(
            load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy(local_dc=self.config.local_dc)),
            request_timeout=self.config.request_timeout_s,
            row_factory=tuple_factory,
            consistency_level=_level(self.config.level("schema")),
        )
        cluster = Cluster(
            contact_points=list(self.config.endpoints),
            execution_profiles={EXEC_PROFILE_DEFAULT: profile},
            connect_timeout=self.config.connect_timeout_s,
            control_connection_timeout=self.config.connect_timeout_s,
        )
        try:
            session = cluster.connect()
        except ConnectFailures as exc:
            cluster.shutdown()
            raise ReadStoreUnavailable(self.config.where, _summary(exc)) from exc
        self._cluster = cluster
        return session

    def drop_tombstones(self, tables: Sequence[Table], *, up_to: int) -> int:
        """Compaction drops tombstones once ``gc_grace_seconds`` has passed; a client cannot. A
        tombstone keeps its key, and ``trending_hashtags`` has a hashtag in its key: until then an
        erased person's hashtag stays in the SSTables that hold its tombstone (step 2 of ``purge``
        keeps tombstones younger than ``gc_grace_seconds``)."""
        return 0

    def purge(self) -> None:
        """Nothing a client can do: the write that erases a value leaves the old one on disk, and only
        tools on each node remove it. After an erasure is projected, an operator runs on every node
        (measured on 5.0 by tests/integration/test_erasure_leaves_no_plaintext.py):

        1. ``nodetool flush <keyspace>``: memtables into SSTables, so no commit-log segment is still
           needed for the original writes.
        2. ``nodetool repair --full <keyspace>``: every replica holds the erasure's deletes (a no-op
           on one node), so none can bring a row back once the tombstones are gone.
        3. ``nodetool compact <keyspace>`` with the keyspace's tables at ``gc_grace_seconds = 0`` for
           the while, then back to what they were: SSTables are rewritten without the values the
           erasure's newer writes shadow, and without the tombstones, which carry their rows' keys
           (the hashtag in ``trending_hashtags``, a term in ``search_terms``). With the grace (10
           days by default) left in place the tombstones, and those keys, would stay until it ran out.
        4. The commit log: the segment being written keeps the original writes until it is full
           (``commitlog_segment_size``) and flushed, then is deleted. To be rid of it now: create and
           drop any table (a drop switches every node to a new segment, flushes what the old ones
           hold and deletes them), or ``nodetool drain`` and restart the node.
        5. Copies: ``auto_snapshot`` (on by default) snapshots a table when it is dropped or truncated,
           as a projection rebuild drops the old build: ``nodetool clearsnapshot --all -- <keyspace>``.
           Keep ``incremental_backups`` off; hints (``hints/``) hold writes for a down node until
           delivered; backups taken of the data folders hold what they copied.

        nodetool speaks JMX, which Cassandra binds to the loopback address (``LOCAL_JMX=yes``, the
        default), so each step runs on the node itself. On the node ``make cassandra`` and ``make
        test`` start (JMX on 127.0.0.1:7199), ``.venv/bin/python scripts/cassandra_node.py purge
        <keyspace>`` runs the five steps in order, and ``scripts/cassandra_node.py nodetool ...`` any
        one of them.
        """

    def ping(self) -> None:
        with self._errors("system.local", write=False):
            self.connect().execute("SELECT release_version FROM system.local")

    def close(self) -> None:
        with self._lock:
            if self._cluster is not None:
                self._cluster.shutdown()
            self._cluster = self._session = None
            self._prepared.clear()

    @contextmanager
    def _errors(self, table: str, *, write: bool) -> Iterator[None]:
        """Driver errors become ours; timeouts are retryable because every write is idempotent."""
        try:
            yield
        except NoHostAvailable as exc:
            raise ReadStoreUnavailable(self.config.where, _summary(exc)) from exc
        except Timeouts as exc:
            retry = RetryableWriteError if write else RetryableReadError
            raise retry(f"table {table!r}: {type(exc).__name__}: {exc}") from exc
        except InvalidRequest as exc:
            text = str(exc)
            if "unconfigured table" in text or "does not exist" in text:
                raise MissingTable(table, text) from exc
            raise ReadStoreError(f"table {table!r}: {text}") from exc
        except DriverException as exc:
            raise ReadStoreError(f"table {table!r}: {type(exc).__name__}: {exc}") from exc

    # -- schema -----------------------------------------------------------------------------

    def ensure_keyspace(self) -> None:
        self._schema(self.keyspace, cql.create_keyspace(self.keyspace, self.config.replication))

    def drop_keyspace(self) -> None:
        """For tests and teardown only: the port has no way to drop a whole store."""
        self._schema(self.keyspace, f"DROP KEYSPACE IF EXISTS {cql.q(self.keyspace)}")

    def create_table(self, table: Table) -> bool:
        existed = self._run(
            table.name,
            False,
            lambda s: s.execute(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = %s AND table_name = %s",
                (self.keyspace, table.name),
            ).one(),
        )
        self._schema(table.name, cql.create_table(self.keyspace, table))
        return existed is None

    def add_column(self, table: Table, column: Column) -> None:
        found = self._run(
            table.name,
            False,
            lambda s: s.execute(
                "SELECT column_name FROM system_schema.columns WHERE keyspace_name = %s AND table_name = %s",
                (self.keyspace, table.name),
            ).all(),
        )
        if not found:
            raise MissingTable(table.name)
        if column.name not in {r[0] for r in found}:
            self._schema(table.name, cql.add_column(self.keyspace, table, column))

    def drop_table(self, table: Table) -> None:
        self._schema(table.name, cql.drop_table(self.keyspace, table))
        with self._lock:
            self._prepared = {k: v for k, v in self._prepared.items() if k[0].name != table.name}

    def _schema(self, name: str, statement: str) -> None:
        simple = SimpleStatement(statement, consistency_level=_level(self.config.level("schema")))
        self._run(name, True, lambda s: s.execute(simple, timeout=SCHEMA_TIMEOUT_S))

    def _run(self, table: str, write: bool, call: Callable[[Session], Any]) -> Any:
        with self._errors(table, write=write):
            return call(self.connect())

    def _statement(
        self, table: Table, operation: str, shape: tuple[Any, ...], text: str
    ) -> PreparedStatement:
        """Prepared once per (table, operation, shape), with the operation's consistency level."""
        key = (table, operation, shape)
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = self._run(table.name, False, lambda s: s.prepare(text))
            prepared.consistency_level = _level(self.config.level(operation))
            if operation in CONDITIONAL:
                prepared.serial_consistency_level = _level(self.config.serial_consistency)
            self._prepared[key] = prepared
        return prepared

    # -- writes -----------------------------------------------------------------------------

    def upsert(
        self, table: Table, row: Mapping[str, Any], *, timestamp: int | None = None, ttl: int | None = None
    ) -> None:
        bound = self._bind(table, check_write(table, Upsert(row, timestamp, ttl)), "upsert")
        self._run(table.name, True, lambda s: s.execute(bound))

    def delete(self, table: Table, key: Mapping[str, Any], *, timestamp: int | None = None) -> None:
        bound = self._bind(table, check_write(table, Delete(key, timestamp)), "delete")
        self._run(table.name, True, lambda s: s.execute(bound))

    def batch(self, table: Table, writes: Sequence[Write]) -> None:
        """One partition, so Cassandra applies it atomically and in isolation."""
        checked = check_batch(table, writes)
        if not checked:
            return
        batch = BatchStatement(
            batch_type=BatchType.LOGGED, consistency_level=_level(self.config.level("batch"))
        )
        for write in checked:
            batch.add(self._bind(table, write, "batch"))
        self._run(table.name, True, lambda s: s.execute(batch))

    def write_all(self, waves: Sequence[Sequence[TableWrite]]) -> None:
        """Each wave's writes go out concurrently (token-aware, so to their replicas); the next wave
        waits for the whole of this one. A failure stops at its wave, naming the first error."""
        for wave in waves:
            if wave:
                statements = [(s, ()) for s in self._batched(wave)]
                self._run(wave[0][0].name, True, functools.partial(_concurrently, statements))

    def _batched(self, wave: Sequence[TableWrite]) -> Iterator[Any]:
        """The writes as unlogged batches, each of writes whose partitions the same replicas own: one
        request to parse and apply instead of one a write, which costs the driver about a tenth of
        the CPU a write and the node about half. Unlogged is enough: the writes of a wave need no
        order nor each other's atomicity, each keeps its own ``USING TIMESTAMP`` so a replay stays
        idempotent, and a failed batch fails its wave, to be sent again whole. Token-aware routing
        sends a batch to a replica of its first write, which owns the rest."""
        metadata = self.connect().cluster.metadata
        groups: dict[tuple[Any, ...], list[tuple[Any, int]]] = {}
        for table, write in wave:
            bound = self._bind(table, write, "write_all")
            owners = tuple(metadata.get_replicas(self.keyspace, bound.routing_key))
            groups.setdefault(owners, []).append((bound, _size(table, write, bound)))
        for bound in groups.values():
            for chunk in _chunks(bound):
                if len(chunk) == 1:
                    yield chunk[0]
                    continue
                batch = BatchStatement(
                    batch_type=BatchType.UNLOGGED, consistency_level=chunk[0].consistency_level
                )
                for statement in chunk:
                    batch.add(statement)
                yield batch

    def scan(self, table: Table) -> Iterator[Row]:
        statement = SimpleStatement(cql.scan(self.keyspace, table), fetch_size=1000)
        statement.consistency_level = _level(self.config.level("page"))
        result = self._run(table.name, False, lambda s: s.execute(statement, timeout=SCHEMA_TIMEOUT_S))
        with self._errors(table.name, write=False):
            for found in result:
                yield _row(table, found)

    def insert_if_absent(self, table: Table, row: Mapping[str, Any], *, ttl: int | None = None) -> bool:
        write = check_write(table, Upsert(row, None, ttl))
        text = cql.upsert(self.keyspace, table, timestamp=False, ttl=ttl is not None, if_not_exists=True)
        prepared = self._statement(table, "insert_if_absent", (ttl is not None,), text)
        params = [write.values[c] for c in table.names] + ([ttl] if ttl is not None else [])
        result = self._run(table.name, True, lambda s: s.execute(prepared.bind(params)))
        return bool(result.was_applied)

    def replace_if(
        self, table: Table, row: Mapping[str, Any], expected: Mapping[str, Any], *, ttl: int | None = None
    ) -> bool:
        write, names, values = check_replace(table, row, expected, ttl)
        text = cql.update_if(self.keyspace, table, ttl=ttl is not None, if_equal=names)
        prepared = self._statement(table, "replace_if", (ttl is not None, names), text)
        params = [ttl] if ttl is not None else []
        params += [write.values[c] for c in (*table.value_names, *table.key_names)]
        result = self._run(table.name, True, lambda s: s.execute(prepared.bind([*params, *values])))
        return bool(result.was_applied)

    def delete_if_present(
        self, table: Table, key: Mapping[str, Any], expected: Mapping[str, Any] | None = None
    ) -> bool:
        checked = check_key(table, key)
        names, values = check_expected(table, expected or {})
        text = cql.delete(self.keyspace, table, timestamp=False, if_exists=True, if_equal=names)
        prepared = self._statement(table, "delete_if_present", (names,), text)
        bound = prepared.bind([*(checked[c] for c in table.key_names), *values])
        result = self._run(table.name, True, lambda s: s.execute(bound))
        return bool(result.was_applied)

    def _bind(self, table: Table, write: CheckedWrite, operation: str) -> Any:
        has_ts = write.timestamp is not None
        if write.deleted:
            text = cql.delete(self.keyspace, table, timestamp=has_ts)
            params = [write.timestamp] if has_ts else []
            params += [write.values[c] for c in table.key_names]
        else:
            has_ttl = write.ttl is not None
            text = cql.upsert(self.keyspace, table, timestamp=has_ts, ttl=has_ttl)
            params = [write.values[c] for c in table.names]
            params += [p for p, on in ((write.timestamp, has_ts), (write.ttl, has_ttl)) if on]
        shape = ("delete" if write.deleted else "upsert", has_ts, write.ttl is not None)
        return self._statement(table, operation, shape, text).bind(params)

    # -- reads ------------------------------------------------------------------------------

    def get(self, table: Table, key: Mapping[str, Any]) -> Row | None:
        checked = check_key(table, key)
        prepared = self._statement(table, "get", (), cql.get(self.keyspace, table))
        bound = prepared.bind([checked[c] for c in table.key_names])
        found = self._run(table.name, False, lambda s: s.execute(bound).one())
        return None if found is None else _row(table, found)

    def get_many(self, table: Table, keys: Sequence[Mapping[str, Any]]) -> list[Row | None]:
        """A table whose key is its partition key reads its rows as ``first_rows`` reads partitions
        (a statement for many keys); one with clustering columns by a request a key, in flight
        together. Two hundred keys took 40–55 ms as requests (30–40 ms of this process's CPU), and
        12–19 ms as statements of 16 partitions (3–6 ms of CPU)."""
        if not table.clustering:
            found = self._first_rows([FirstRows(table, keys, limit=1)], "get")[0]
            return [rows[0] if rows else None for rows in found]
        prepared = self._statement(table, "get", (), cql.get(self.keyspace, table))
        bound = [prepared.bind([check_key(table, key)[c] for c in table.key_names]) for key in keys]
        if not bound:
            return []
        found = [result.one() for result in self._all_results(table.name, bound)]
        return [None if row is None else _row(table, row) for row in found]

    def first_rows(self, reads: Sequence[FirstRows]) -> list[list[list[Row]]]:
        """Statements that each read every combination of some partition key values of one table (a
        feed's creators × its weeks is one), all of every read in flight together."""
        return self._first_rows(reads, "page")

    def _first_rows(self, reads: Sequence[FirstRows], operation: str) -> list[list[list[Row]]]:
        """``operation``: whose consistency level the statements take."""
        asked = [check_first_rows(r.table, r.partitions, r.end, r.limit) for r in reads]
        statements = [
            self._first_rows_statements(r, keys, end, operation)
            for r, (keys, end) in zip(reads, asked, strict=True)
        ]
        everything = [statement for each in statements for statement in each]
        results = iter(
            self._all_results(", ".join(r.table.name for r in reads), everything) if everything else ()
        )
        answers = []
        for read, (keys, _), each in zip(reads, asked, statements, strict=True):
            found: dict[tuple[Any, ...], list[Row]] = {}
            for result in itertools.islice(results, len(each)):
                for row in _rows(read.table, result):  # keyed as converted: the driver's timestamps are naive
                    found.setdefault(tuple(row[n] for n in read.table.partition_key), []).append(row)
            answers.append([list(found.get(key, ())) for key in keys])
        return answers

    def _first_rows_statements(
        self, read: FirstRows, keys: list[tuple[Any, ...]], end: tuple[Any, ...], operation: str
    ) -> list[Any]:
        distinct = list(dict.fromkeys(keys))
        if not distinct:
            return []
        text = cql.first_rows(self.keyspace, read.table, end=len(end))
        prepared = self._statement(read.table, operation, ("first_rows", len(end)), text)
        most = min(PARTITIONS_PER_STATEMENT, max(1, FIRST_ROWS_PER_STATEMENT // read.limit))
        return [prepared.bind([*product, *end, read.limit]) for product in _products(distinct, most)]

    def _all_results(self, tables: str, bound: list[Any]) -> list[Any]:
        """The results of reads in flight together (the first failure raised). Up to
        ``READ_CONCURRENCY`` are simply all sent, then awaited in turn: cheaper than the driver's
        concurrent executor, whose own locks and callbacks cost more than a page's few reads."""
        if len(bound) > READ_CONCURRENCY:
            statements = [(b, ()) for b in bound]
            done = self._run(
                tables, False, lambda s: execute_concurrent(s, statements, concurrency=READ_CONCURRENCY)
            )
            return [result for _, result in done]

        def all_sent(session: Session) -> list[Any]:
            futures = [session.execute_async(b) for b in bound]
            return [future.result() for future in futures]

        results: list[Any] = self._run(tables, False, all_sent)
        return results

    def page(
        self,
        table: Table,
        partition: Mapping[str, Any],
        *,
        start: Sequence[Any] | None = None,
        end: Sequence[Any] | None = None,
        descending: bool = False,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page:
        query = check_page(table, partition, start, end, descending, limit)
        state = None if cursor is None else decode_cursor(self.cursors, query, cursor)
        shape = (len(query.start or ()), len(query.end or ()), query.descending)
        text = cql.page(self.keyspace, table, start=shape[0], end=shape[1], descending=shape[2])
        bound = self._statement(table, "page", shape, text).bind(
            [*query.partition.values(), *(query.start or ()), *(query.end or ())]
        )
        bound.fetch_size = limit
        result = self._run(table.name, False, lambda s: s.execute(bound, paging_state=state))
        rows = _rows(table, result.current_rows)
        more = result.paging_state
        return Page(rows, encode_cursor(self.cursors, query, more) if more else None)


def _products(keys: list[tuple[Any, ...]], most: int) -> list[list[list[Any]]]:
    """Distinct partition keys as few combinations of value lists as hold exactly them, none of more
    than ``most`` partitions: all of them when they are one combination (the usual case: creators ×
    weeks), else one for each value of every column but the last."""
    columns = [list(dict.fromkeys(values)) for values in zip(*keys, strict=True)]
    if math.prod(len(c) for c in columns) != len(keys):
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for key in keys:
            groups.setdefault(key[:-1], []).append(key[-1])
        return [p for prefix, last in groups.items() for p in _products([(*prefix, v) for v in last], most)]
    big = max(range(len(columns)), key=lambda i: len(columns[i]))  # split the longest list
    step = max(1, most * len(columns[big]) // len(keys))
    return [
        [*columns[:big], columns[big][i : i + step], *columns[big + 1 :]]
        for i in range(0, len(columns[big]), step)
    ]


def _chunks(sized: list[tuple[Any, int]]) -> Iterator[list[Any]]:
    """Consecutive runs of statements within ``BATCH_WRITES`` and ``BATCH_BYTES``."""
    chunk: list[Any] = []
    total = 0
    for statement, size in sized:
        if chunk and (len(chunk) == BATCH_WRITES or total + size > BATCH_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(statement)
        total += size
    if chunk:
        yield chunk


def _size(table: Table, write: CheckedWrite, bound: Any) -> int:
    """About the bytes the node counts for the write in a batch's size."""
    size = sum(len(v) + CELL_BYTES for v in bound.values if isinstance(v, bytes))
    if not write.deleted:
        size += sum(len(write.values[name] or ()) * ELEMENT_BYTES for name in _lists(table))
    return size


@functools.cache
def _lists(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.type == ColumnType.TEXT_LIST)


def _concurrently(statements: list[tuple[Any, tuple[()]]], session: Session) -> None:
    execute_concurrent(session, statements, concurrency=WRITE_CONCURRENCY, raise_on_first_error=True)


def _row(table: Table, found: Sequence[Any]) -> Row:
    return _rows(table, (found,))[0]


def _rows(table: Table, found: Iterable[Sequence[Any]]) -> list[Row]:
    """What the driver returns, in the same shape the SQLite adapter returns: only lists and
    timestamps differ, so only their columns are touched."""
    names, fixes = table.names, _fixes(table)
    rows = [dict(zip(names, values, strict=True)) for values in found]
    for row in rows:
        for name, fix in fixes:
            row[name] = fix(row[name])
    return rows


@functools.cache
def _fixes(table: Table) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    fix = {ColumnType.TEXT_LIST: _list, ColumnType.TIMESTAMP: _utc}
    return tuple((c.name, fix[c.type]) for c in table.columns if c.type in fix)


def _list(value: Any) -> list[Any]:
    return list(value or [])


def _utc(value: Any) -> Any:
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) else value  # the driver's is naive


def _level(name: str) -> int:
    level: int = getattr(ConsistencyLevel, name.upper())
    return level


def _summary(exc: Exception) -> str:
    """NoHostAvailable carries one error per host; show them all, briefly."""
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict) and errors:
        return "; ".join(f"{host}: {error}" for host, error in errors.items())
    return f"{type(exc).__name__}: {exc}"
