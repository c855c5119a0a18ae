"""Start, stop, check and break a three-node Cassandra 5.0 cluster on this machine (DESIGN.md §10, §14).

    .venv/bin/python scripts/cassandra_cluster.py start [--fresh] [--if-needed] [--timeout S]
    .venv/bin/python scripts/cassandra_cluster.py stop [--if-started] [NODE]
    .venv/bin/python scripts/cassandra_cluster.py status
    .venv/bin/python scripts/cassandra_cluster.py kill NODE       # SIGKILL: a crash, nothing drained
    .venv/bin/python scripts/cassandra_cluster.py restart NODE    # start it again and wait until it rejoins
    .venv/bin/python scripts/cassandra_cluster.py nodetool NODE COMMAND [ARGS ...]

NODE is 1, 2 or 3, or the node's address. The nodes listen on loopback addresses of their own, as ccm
does (Linux routes all of 127.0.0.0/8 to the loopback interface, no setup needed): 127.0.0.11, .12 and
.13, each with CQL on 9042 and the storage port on 7000, so the cluster and the single node of
scripts/cassandra_node.py (127.0.0.1:9042) can run side by side. JMX listens on 127.0.0.1:7211, 7212
and 7213. 127.0.0.11 is the seed. Each node gets one token of three evenly spaced ones, its own
cassandra.yaml (ops/cassandra/conf/cassandra.yaml with the overrides in ``_config``) and its own
folder under .cassandra/cluster/nodeN (data, logs, pid file); the jars, the JVM options and the way
a node is launched, waited for and stopped are scripts/cassandra_node.py's.

`start` starts the nodes one after another and waits after each until it reports every node started
so far Up and Normal (``nodetool status``). Heaps are 256-512 MiB: three nodes share two cores.
Hinted handoff is on, so a node that was down gets most of the writes it missed when it comes back;
`nodetool NODE repair --full KEYSPACE` brings the rest (tests/cluster/test_node_failure.py says which). Data
stays between runs; `start --fresh` (no node running) begins with empty nodes. `start --if-needed`
uses a cluster already running and otherwise marks the one it starts, which `stop --if-started` then
stops, whole; `stop --if-started` leaves a cluster it did not start alone (as scripts/cassandra_node.py).

Environment: CASSANDRA_JVM_EXTRA_OPTS, CASSANDRA_CDS=0, JAVA_HOME, as for scripts/cassandra_node.py.

Exit status: 0 done, 1 failed, 3 (`status`) not every node up.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cassandra_node as single  # a sibling script, not a package

FOLDER = single.STATE / "cluster"
MARKER = FOLDER / "started-if-needed"
HOSTS = ("127.0.0.11", "127.0.0.12", "127.0.0.13")
SEED = HOSTS[0]
PORT = 9042
STORAGE_PORT = 7000
JMX_PORTS = (7211, 7212, 7213)
CLUSTER_NAME = "strom-cluster"
#: After jvm.options, so these win: a 256-512 MiB heap, as three nodes share two cores; and the schema
#: flushed at every change, as Cassandra does by default. The single node skips that flush
#: (-Dcassandra.unsafesystem=true); a node restarted after SIGKILL loads the schema from disk before it
#: replays its commit log, so without the flush it would not know the tables created since it started
#: and would drop every write to them the log held. Here DDL waits for three nodes to agree anyway
#: (about 1 s a table on two busy cores, with or without the flush).
JVM_EXTRA = ("-Xms256m", "-Xmx512m", "-Dcassandra.unsafesystem=false")
JOIN_TIMEOUT_S = 90.0
NODES = tuple(
    single.Node(
        FOLDER / f"node{number}",
        host=host,
        port=PORT,
        jmx_port=jmx_port,
        config=FOLDER / f"node{number}" / "cassandra.yaml",
        jvm_extra=JVM_EXTRA,
    )
    for number, (host, jmx_port) in enumerate(zip(HOSTS, JMX_PORTS, strict=True), 1)
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start_cmd = sub.add_parser("start", help="start the three nodes, one after another")
    start_cmd.add_argument(
        "--if-needed", action="store_true", help="use a running cluster; mark one it starts"
    )
    start_cmd.add_argument(
        "--fresh", action="store_true", help="empty every node's data first (none may be running)"
    )
    start_cmd.add_argument("--timeout", type=float, default=single.START_TIMEOUT_S, help="seconds per node")
    stop_cmd = sub.add_parser("stop", help="stop every node this script started (harmless if none)")
    stop_cmd.add_argument(
        "--if-started", action="store_true", help="only a cluster `start --if-needed` started"
    )
    stop_cmd.add_argument("node", nargs="?", help="only this node (SIGTERM: it drains first)")
    sub.add_parser("status", help="each node, and the ring as a live node sees it; exit 0 if all are up")
    kill_cmd = sub.add_parser("kill", help="SIGKILL one node")
    kill_cmd.add_argument("node")
    restart_cmd = sub.add_parser("restart", help="start one node again and wait until it has rejoined")
    restart_cmd.add_argument("node")
    restart_cmd.add_argument("--timeout", type=float, default=single.START_TIMEOUT_S)
    tool_cmd = sub.add_parser("nodetool", help="Cassandra's nodetool against one node")
    tool_cmd.add_argument("node")
    tool_cmd.add_argument("args", nargs=argparse.REMAINDER, help="a nodetool command and its arguments")
    args = parser.parse_args(argv)

    if args.command == "status":
        return _status()
    if args.command == "nodetool":
        return single.nodetool(_node(args.node), args.args)
    FOLDER.mkdir(parents=True, exist_ok=True)
    with single.lock(FOLDER / "cluster.lock"):
        if args.command == "start":
            return _start_all(fresh=args.fresh, if_needed=args.if_needed, timeout=args.timeout)
        if args.command == "stop":
            return _stop(args.node, if_started=args.if_started)
        if args.command == "kill":
            return _kill(_node(args.node))
        return _start((_node(args.node),), timeout=args.timeout)


def _node(name: str) -> single.Node:
    for number, node in enumerate(NODES, 1):
        if name in (str(number), node.host, f"node{number}"):
            return node
    sys.exit(f"No node {name!r}: 1, 2, 3 or {', '.join(HOSTS)}.")


def _start_all(*, fresh: bool, if_needed: bool, timeout: float) -> int:
    """With ``if_needed``, a cluster already running is used as it is, and one this call starts (even
    in part) is marked as this script's, for `stop --if-started`: whole, whatever nodes were killed,
    stopped or restarted one by one in between."""
    running = [node.host for node in NODES if single.our_pid(node) is not None]
    if if_needed and len(running) == len(NODES):
        print(f"The cluster is already running ({', '.join(running)}); using it.")
        return 0
    if fresh and running:
        print(f"Not emptying the cluster: {', '.join(running)} running; stop it first.", file=sys.stderr)
        return 1
    if fresh:
        for node in NODES:
            shutil.rmtree(node.data, ignore_errors=True)  # logs and class-data archives stay
    if if_needed:
        MARKER.write_text("started by `start --if-needed`\n")
    return _start(NODES, timeout=timeout)


def _stop(name: str | None, *, if_started: bool) -> int:
    if if_started and not MARKER.is_file():
        print("The cluster was not started by `start --if-needed`; leaving it be.")
        return 0
    nodes = reversed(NODES) if name is None else (_node(name),)
    done = max(single.stop(node, if_started=False) for node in nodes)
    if name is None:
        MARKER.unlink(missing_ok=True)
    return done


def _start(nodes: tuple[single.Node, ...], *, timeout: float) -> int:
    """Each node in turn, and after each the wait until it sees every running node Up and Normal: a
    node that starts while another is still joining may not learn of it in time for a QUORUM."""
    began = time.monotonic()
    for node in nodes:
        _write_config(node)
        if single.start(node, if_needed=False, timeout=timeout) != 0:
            return 1
        expected = [other.host for other in NODES if single.our_pid(other) is not None]
        if not _joined(node, expected):
            return 1
    print(f"{len(nodes)} node(s) up and in the ring after {time.monotonic() - began:.1f} s.", flush=True)
    return 0


def _joined(node: single.Node, hosts: list[str]) -> bool:
    """Waits until ``node`` reports every one of ``hosts`` Up and Normal."""
    began = time.monotonic()
    up: set[str] = set()
    while time.monotonic() - began < JOIN_TIMEOUT_S:
        up = _up_and_normal(node)
        if up >= set(hosts):
            print(
                f"{node.host} sees {', '.join(sorted(up))} Up and Normal ({time.monotonic() - began:.1f} s)."
            )
            return True
        time.sleep(1.0)
    print(f"{node.host} sees only {sorted(up)} Up and Normal after {JOIN_TIMEOUT_S:.0f} s.", file=sys.stderr)
    return False


def _up_and_normal(node: single.Node) -> set[str]:
    """The addresses ``nodetool status`` on ``node`` marks UN."""
    out = single.nodetool_output(node, ["status"]) or ""
    return set(re.findall(r"^UN\s+(\S+)", out, flags=re.MULTILINE))


def _kill(node: single.Node) -> int:
    pid = single.our_pid(node)
    if pid is None:
        print(f"{node.host} is not running.")
        return 0
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while single.our_pid(node) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    if single.our_pid(node) is not None:
        print(f"{node.host} (pid {pid}) survived SIGKILL for 10 s.", file=sys.stderr)
        return 1
    with contextlib.suppress(OSError):  # the archive the JVM would have written at exit: it never will
        Path(node.cds_pending.read_text().strip()).unlink(missing_ok=True)
    for path in (node.pid_file, node.port_file, node.cds_pending):
        path.unlink(missing_ok=True)
    print(f"{node.host} (pid {pid}) killed.")
    return 0


def _status() -> int:
    running = []
    for number, node in enumerate(NODES, 1):
        pid = single.our_pid(node)
        if pid is None:
            print(f"node{number} {node.where}: not running")
        elif single.cql_ready(node, 3.0):
            print(f"node{number} {node.where}: running (pid {pid}), answers CQL")
            running.append(node)
        else:
            print(f"node{number} {node.where}: running (pid {pid}), not answering CQL")
    if running:
        print(single.nodetool_output(running[0], ["status"]) or "(nodetool status failed)")
    return 0 if len(running) == len(NODES) else single.NOT_RUNNING


def _write_config(node: single.Node) -> None:
    """The single node's cassandra.yaml with this node's addresses, token and cluster settings."""
    config = yaml.safe_load((single.CONF / "cassandra.yaml").read_text())
    config.update(_config(node))
    header = (
        f"# Written by scripts/cassandra_cluster.py for {node.host} from ops/cassandra/conf/cassandra.yaml"
        " at every start: edit those, not this.\n"
    )
    node.state.mkdir(parents=True, exist_ok=True)
    node.config.write_text(header + yaml.safe_dump(config, sort_keys=False))


def _config(node: single.Node) -> dict[str, object]:
    index = NODES.index(node)
    return {
        "cluster_name": CLUSTER_NAME,
        # Three tokens spread evenly over Murmur3's range: each node owns a third, every row is on all
        # three (replication 3), and no node has to bootstrap (stream data) when the cluster is new.
        "initial_token": str(-(2**63) + index * (2**64 // len(NODES))),
        "auto_bootstrap": False,
        "seed_provider": [
            {
                "class_name": "org.apache.cassandra.locator.SimpleSeedProvider",
                "parameters": [{"seeds": f"{SEED}:{STORAGE_PORT}"}],
            }
        ],
        "listen_address": node.host,
        "rpc_address": node.host,
        "storage_port": STORAGE_PORT,
        "native_transport_port": node.port,
        # A node that was down catches up from the hints its peers kept for it.
        "hinted_handoff_enabled": True,
        "max_hint_window": "3h",
        # A 512 MiB heap instead of 1 GiB.
        "memtable_heap_space": "96MiB",
        "memtable_offheap_space": "64MiB",
        "key_cache_size": "8MiB",
        "file_cache_size": "32MiB",
    }


if __name__ == "__main__":
    sys.exit(main())
