"""How a Cassandra read store is addressed: ``cassandra://h1,h2:9042/keyspace?option=value…``.

Options (all optional):

- ``replication``: ``simple:1`` (SimpleStrategy, the default: one node, tests) or ``dc1:3,dc2:3``
  (NetworkTopologyStrategy, production); used only when the keyspace is created.
- ``local_dc``: the data centre whose nodes are tried first (token-aware within it).
- ``consistency`` (every operation), ``read_consistency`` (get, page), ``write_consistency`` (upsert,
  delete, batch, insert_if_absent, replace_if, delete_if_present), ``<operation>_consistency``;
  default ``LOCAL_QUORUM``.
- ``serial_consistency`` for ``insert_if_absent``, ``replace_if`` and ``delete_if_present``: default
  ``SERIAL``, so that a name taken, or a lease held, is taken once across every data centre.
  ``LOCAL_SERIAL`` is faster across data centres, but each one's Paxos then answers alone: two data
  centres could each take the same name, and each run the process managers.
- ``connect_timeout``, ``request_timeout``: seconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

READS = ("get", "page")
WRITES = ("upsert", "delete", "batch", "insert_if_absent", "replace_if", "delete_if_present")
#: The writes made as lightweight transactions, at ``serial_consistency``.
CONDITIONAL = ("insert_if_absent", "replace_if", "delete_if_present")
OPERATIONS = (*READS, *WRITES, "schema")
LEVELS = (
    "ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE",
)  # fmt: skip
SERIAL_LEVELS = ("SERIAL", "LOCAL_SERIAL")
KEYSPACE = re.compile(r"[a-z][a-z0-9_]{0,47}")


@dataclass(frozen=True)
class CassandraConfig:
    endpoints: tuple[tuple[str, int], ...]  # (host, port): the contact points
    keyspace: str
    replication: Mapping[str, str | int] = field(
        default_factory=lambda: {"class": "SimpleStrategy", "replication_factor": 1}
    )
    local_dc: str | None = None
    consistency: Mapping[str, str] = field(default_factory=dict)
    serial_consistency: str = "SERIAL"
    connect_timeout_s: float = 5.0
    request_timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.endpoints or not all(host for host, _ in self.endpoints):
            raise ValueError("a Cassandra read store needs at least one host")
        if not KEYSPACE.fullmatch(self.keyspace):
            raise ValueError(
                f"keyspace {self.keyspace!r}: lowercase letter first, then [a-z0-9_], ≤ 48 chars"
            )
        unknown = set(self.consistency) - set(OPERATIONS)
        if unknown:
            raise ValueError(f"unknown operation(s) {sorted(unknown)}; known: {', '.join(OPERATIONS)}")
        for level in self.consistency.values():
            _check_level(level, LEVELS)
        _check_level(self.serial_consistency, SERIAL_LEVELS)

    def level(self, operation: str) -> str:
        return self.consistency.get(operation, "LOCAL_QUORUM").upper()

    @property
    def where(self) -> list[str]:
        """The hosts as an operator would type them, for error messages."""
        return [f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in self.endpoints]


def parse_url(url: str) -> CassandraConfig:
    match = re.fullmatch(r"cassandra://([^/?]+)/([^/?]+)(?:\?(.*))?", url)
    if not match:
        raise ValueError(f"{url!r}: expected cassandra://host1,host2:9042/keyspace[?options]")
    netloc, keyspace, query = match.groups()
    endpoints = _endpoints(netloc)
    options = dict(parse_qsl(query or "", strict_parsing=bool(query)))
    consistency = _consistency(options)
    config = CassandraConfig(
        endpoints=endpoints,
        keyspace=keyspace,
        replication=_replication(options.pop("replication", "simple:1")),
        local_dc=options.pop("local_dc", None),
        consistency=consistency,
        serial_consistency=options.pop("serial_consistency", "SERIAL").upper(),
        connect_timeout_s=float(options.pop("connect_timeout", 5.0)),
        request_timeout_s=float(options.pop("request_timeout", 10.0)),
    )
    if options:
        raise ValueError(f"{url!r}: unknown option(s) {sorted(options)}")
    return config


def _endpoints(netloc: str) -> tuple[tuple[str, int], ...]:
    """``h1,h2:9042``: the last port is every host's; ``h1:9042,h2:9043`` gives each its own."""
    parsed = [_host_port(entry.strip(), netloc) for entry in netloc.split(",")]
    default = parsed[-1][1] or 9042
    return tuple((host, port or default) for host, port in parsed)


def _host_port(entry: str, netloc: str) -> tuple[str, int | None]:
    match = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?|([^:\[\]]+)(?::(\d+))?|([0-9a-fA-F:]+)", entry)
    if not match:
        raise ValueError(f"{netloc!r}: cannot read host {entry!r}")
    host = match.group(1) or match.group(3) or match.group(5)
    port = match.group(2) or match.group(4)
    if port is not None and not 0 < int(port) < 65536:
        raise ValueError(f"{netloc!r}: bad port {port}")
    return host, None if port is None else int(port)


def _consistency(options: dict[str, str]) -> dict[str, str]:
    """``consistency`` for all, then ``read_``/``write_``, then per operation: the most specific wins."""
    levels: dict[str, str] = {}
    for group, operations in (
        ("consistency", OPERATIONS),
        ("read_consistency", READS),
        ("write_consistency", WRITES),
    ):
        if group in options:
            levels.update(dict.fromkeys(operations, options.pop(group).upper()))
    for operation in OPERATIONS:
        if f"{operation}_consistency" in options:
            levels[operation] = options.pop(f"{operation}_consistency").upper()
    return levels


def _replication(spec: str) -> dict[str, str | int]:
    if spec.startswith("simple:"):
        return {"class": "SimpleStrategy", "replication_factor": _factor(spec[len("simple:") :])}
    replication: dict[str, str | int] = {"class": "NetworkTopologyStrategy"}
    for part in spec.split(","):
        dc, _, factor = part.partition(":")
        if not dc or not re.fullmatch(r"[\w.-]+", dc):
            raise ValueError(f"replication {spec!r}: expected simple:N or dc1:N,dc2:N")
        replication[dc] = _factor(factor)
    return replication


def _factor(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"replication factor {text!r} must be a positive integer")
    return int(text)


def _check_level(level: str, allowed: tuple[str, ...]) -> None:
    if level.upper() not in allowed:
        raise ValueError(f"consistency {level!r}: expected one of {', '.join(allowed)}")
