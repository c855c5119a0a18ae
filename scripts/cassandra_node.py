"""Start, stop and check the single-node Cassandra 5.0 used by tests and local runs (DESIGN.md §10).

    .venv/bin/python scripts/cassandra_node.py start [--if-needed] [--port N] [--timeout S]
    .venv/bin/python scripts/cassandra_node.py stop [--if-started]
    .venv/bin/python scripts/cassandra_node.py status [--port N]
    .venv/bin/python scripts/cassandra_node.py resolve
    .venv/bin/python scripts/cassandra_node.py nodetool [--jmx-port N] COMMAND [ARGS ...]
    .venv/bin/python scripts/cassandra_node.py purge [--jmx-port N] [--port N] KEYSPACE

Cassandra comes from Maven Central: `start` copies org.apache.cassandra:cassandra-all and its runtime
dependencies (ops/cassandra/pom.xml) into .cassandra/lib when that folder is missing or came from another POM,
then runs org.apache.cassandra.service.CassandraDaemon on Java 17 with ops/cassandra/conf/cassandra.yaml,
logback.xml and jvm.options, in the background, and waits until the Python driver connects. Everything it
writes lies under the git-ignored .cassandra/: lib/, data/, logs/, cassandra.pid, the class-data archive.

`start --if-needed` leaves a marker when it starts a node (and none when one was already answering);
`stop --if-started` stops the node only when that marker names it. So `make test` stops only what it started.

The node listens for JMX on 127.0.0.1 only (jvm.options), without authentication, as Cassandra's
LOCAL_JMX=yes does. `nodetool` runs Cassandra's own nodetool from .cassandra/lib against it
(ops/cassandra/conf/jvm-clients.options). `purge` runs the steps CassandraReadStore.purge describes, after
an erasure is projected, so no file of the node keeps the erased values: flush, repair, compact the keyspace
with its tombstones (grace 0 for the while),
recycle every commit-log segment (a table created and dropped in the keyspace), clear its snapshots.

The functions behind these commands take a ``Node`` (its addresses, ports and folder; the single node is
``NODE``): scripts/cassandra_cluster.py starts, stops and inspects its three nodes with them.

Environment: CASSANDRA_PORT (CQL port, default 9042; --port wins), CASSANDRA_JMX_PORT (default 7199, as in
jvm.options; --jmx-port wins), CASSANDRA_JVM_EXTRA_OPTS (appended to jvm.options), CASSANDRA_CDS=0 (no
class-data sharing archive), JAVA_HOME.

Exit status: 0 done or nothing to do, 1 failed, 3 (`status`) not running.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import hashlib
import logging
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POM = ROOT / "ops" / "cassandra" / "pom.xml"
CONF = ROOT / "ops" / "cassandra" / "conf"
STATE = ROOT / ".cassandra"
LIB = STATE / "lib"  # the jars, shared by every node this script or scripts/cassandra_cluster.py starts
LIB_STAMP = LIB / ".pom-sha256"

HOST = "127.0.0.1"
DEFAULT_PORT = 9042
DEFAULT_JMX_PORT = 7199  # -Dcassandra.jmx.local.port in ops/cassandra/conf/jvm.options
NODETOOL_CLASS = "org.apache.cassandra.tools.NodeTool"
KEYSPACE = re.compile(r"[a-z][a-z0-9_]{0,47}")
START_TIMEOUT_S = 120.0
STOP_GRACE_S = 20.0
STOP_GRACE_WHILE_ARCHIVING_S = 90.0
MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon"
NOT_RUNNING = 3


@dataclasses.dataclass(frozen=True)
class Node:
    """One Cassandra process on this machine: the addresses it answers on and the folder its files lie
    in (pid file, logs/, data/, triggers/, its class-data archive). The single node is ``NODE``;
    scripts/cassandra_cluster.py describes its three with the same fields."""

    state: Path
    host: str = HOST
    port: int = DEFAULT_PORT
    jmx_port: int = DEFAULT_JMX_PORT  # JMX listens on 127.0.0.1 whatever the node's address
    config: Path = CONF / "cassandra.yaml"
    jvm_extra: tuple[str, ...] = ()  # after jvm.options and before $CASSANDRA_JVM_EXTRA_OPTS

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def data(self) -> Path:
        return self.state / "data"

    @property
    def pid_file(self) -> Path:
        return self.state / "cassandra.pid"

    @property
    def port_file(self) -> Path:
        return self.state / "cassandra.port"

    @property
    def marker(self) -> Path:
        return self.state / "started-if-needed"

    @property
    def cds_pending(self) -> Path:
        """Names the archive the running JVM writes when it exits."""
        return self.state / "cds-pending"

    @property
    def lock_file(self) -> Path:
        return self.state / "cassandra.lock"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


NODE = Node(STATE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start_cmd = sub.add_parser("start", help="start Cassandra (resolving the jars first if needed)")
    start_cmd.add_argument("--if-needed", action="store_true", help="leave a marker for `stop --if-started`")
    start_cmd.add_argument(
        "--port", type=int, default=None, help="CQL port (default $CASSANDRA_PORT or 9042)"
    )
    start_cmd.add_argument("--timeout", type=float, default=START_TIMEOUT_S, help="seconds to wait for CQL")
    stop_cmd = sub.add_parser("stop", help="stop the Cassandra this script started (harmless if none)")
    stop_cmd.add_argument("--if-started", action="store_true", help="only if `start --if-needed` started it")
    status_cmd = sub.add_parser("status", help="exit 0 if running, 3 if not")
    status_cmd.add_argument(
        "--port", type=int, default=None, help="CQL port (default $CASSANDRA_PORT or 9042)"
    )
    sub.add_parser("resolve", help="(re)copy the jars into .cassandra/lib")
    nodetool_cmd = sub.add_parser("nodetool", help="Cassandra's nodetool against the node's local JMX")
    nodetool_cmd.add_argument(
        "--jmx-port", type=int, default=None, help="default $CASSANDRA_JMX_PORT or 7199"
    )
    nodetool_cmd.add_argument("args", nargs=argparse.REMAINDER, help="a nodetool command and its arguments")
    purge_cmd = sub.add_parser("purge", help="remove values erased in KEYSPACE from every file of the node")
    purge_cmd.add_argument("keyspace")
    purge_cmd.add_argument("--jmx-port", type=int, default=None, help="default $CASSANDRA_JMX_PORT or 7199")
    purge_cmd.add_argument(
        "--port", type=int, default=None, help="CQL port (default $CASSANDRA_PORT or 9042)"
    )
    args = parser.parse_args(argv)

    if args.command == "status":
        return _status(args.port)
    if args.command == "nodetool":
        return nodetool(dataclasses.replace(NODE, jmx_port=_jmx_port(args.jmx_port)), args.args)
    if args.command == "purge":
        node = dataclasses.replace(NODE, port=_port(args.port), jmx_port=_jmx_port(args.jmx_port))
        return _purge(node, args.keyspace)
    STATE.mkdir(exist_ok=True)
    with lock(NODE.lock_file):
        if args.command == "start":
            node = dataclasses.replace(NODE, port=_port(args.port))
            return start(node, if_needed=args.if_needed, timeout=args.timeout)
        if args.command == "stop":
            return stop(NODE, if_started=args.if_started)
        if our_pid(NODE) is not None:
            print("Cassandra is running from .cassandra/lib; stop it first.", file=sys.stderr)
            return 1
        _resolve(force=True)
        return 0


# ---------------------------------------------------------------- commands


def start(node: Node, *, if_needed: bool, timeout: float) -> int:
    """Starts ``node`` in the background (resolving the jars first if needed) and waits until the
    driver runs a query on it; one this script already started is left running."""
    node.state.mkdir(parents=True, exist_ok=True)
    pid = our_pid(node)
    if pid is not None:
        running = dataclasses.replace(node, port=_read_int(node.port_file) or node.port)
        if _port_open(running) and cql_ready(running, 10.0):
            print(f"Cassandra is already running (pid {pid}, {running.where}); nothing to do.")
            return 0
        # Alive but not answering (yet): a start that was interrupted, or it hangs. Wait as that start would.
        print(f"Cassandra (pid {pid}) is running but not answering on {running.where} yet; waiting.")
        return _wait_ready(running, pid, time.monotonic(), timeout, None, [])

    _forget(node)
    if _port_open(node):
        if cql_ready(node, 3.0):
            print(f"A Cassandra this script did not start already answers on {node.where}; using it.")
            return 0
        print(f"Something that is not Cassandra listens on {node.where}; not starting.", file=sys.stderr)
        return 1

    _resolve(force=False)
    java, java_version = _java()
    classpath = ":".join(str(jar) for jar in sorted(LIB.glob("*.jar")))
    options = _jvm_options(node)
    cds, archive = _cds_options(node, java, java_version, options, classpath)
    node.logs.mkdir(parents=True, exist_ok=True)
    node.data.mkdir(parents=True, exist_ok=True)
    (node.state / "triggers").mkdir(exist_ok=True)
    if node.port != DEFAULT_PORT:
        options.append(f"-Dcassandra.native_transport_port={node.port}")

    began = time.monotonic()
    proc = _launch(node, [java, *options, *cds, "-cp", classpath, MAIN_CLASS])
    if archive is not None:
        node.cds_pending.write_text(f"{archive}\n")
    node.pid_file.write_text(f"{proc.pid}\n")
    node.port_file.write_text(f"{node.port}\n")
    if if_needed:
        node.marker.write_text(f"{proc.pid}\n")
    note = " (it writes a class-data archive when it stops)" if archive is not None else ""
    print(f"Starting Cassandra 5.0 (pid {proc.pid}, CQL on {node.where}){note} ...", flush=True)
    return _wait_ready(node, proc.pid, began, timeout, proc, cds)


def _wait_ready(
    node: Node, pid: int, began: float, timeout: float, proc: subprocess.Popen[bytes] | None, cds: list[str]
) -> int:
    deadline = began + timeout
    while time.monotonic() < deadline:
        if not _alive(pid, proc):
            print(f"Cassandra (pid {pid}) exited while starting.", file=sys.stderr)
            _print_log_tail(node)
            _forget(node)
            console = node.logs / "stdout.log"
            if cds and "CDS" in (console.read_text(errors="replace") if console.is_file() else ""):
                _drop_cds_archives(node)
                print("The class-data archive was removed; CASSANDRA_CDS=0 turns it off.", file=sys.stderr)
            return 1
        if _port_open(node) and cql_ready(node, 10.0):
            took = time.monotonic() - began
            print(
                f"Cassandra is up on {node.where} after {took:.1f} s "
                f"(pid {pid}, {_cpu_seconds(pid):.1f} s of CPU, RSS {_rss(pid)}{_cds_note(pid, cds)})."
            )
            print(f"Logs: {node.logs / 'system.log'} (JVM console: {node.logs / 'stdout.log'})")
            return 0
        time.sleep(0.2)
    print(f"Cassandra (pid {pid}) did not answer on {node.where} within {timeout:.0f} s; stopping it.")
    _print_log_tail(node)
    _stop_process(node, pid, proc)
    return 1


def stop(node: Node, *, if_started: bool) -> int:
    """Stops ``node`` if this script started it (SIGTERM: it drains); harmless when it is not running."""
    pid = our_pid(node)
    if if_started:
        marked = _read_int(node.marker)
        if marked is None:
            print("Cassandra was not started by `start --if-needed`; leaving it be.")
            return 0
        if pid != marked:
            print("The Cassandra that `start --if-needed` started is gone already.")
            _forget(node)
            return 0
    if pid is None:
        print("Cassandra is not running.")
        _forget(node)
        return 0
    began = time.monotonic()
    how = _stop_process(node, pid, None)
    print(f"Cassandra (pid {pid}) stopped ({how}) in {time.monotonic() - began:.1f} s.")
    return 0


def _stop_process(node: Node, pid: int, proc: subprocess.Popen[bytes] | None) -> str:
    """Stop it and forget it; an archive it was to write at exit is kept only if it exited by itself."""
    archive = node.cds_pending.read_text().strip() if node.cds_pending.is_file() else ""
    how = _terminate(pid, proc, STOP_GRACE_WHILE_ARCHIVING_S if archive else STOP_GRACE_S)
    if archive and how != "SIGTERM":
        Path(archive).unlink(missing_ok=True)  # possibly half written
    _forget(node)
    if archive and Path(archive).is_file():
        how += ", class-data archive written"
    return how


def _status(port: int | None) -> int:
    pid = our_pid(NODE)
    check = dataclasses.replace(
        NODE, port=(_read_int(NODE.port_file) if pid is not None else None) or _port(port)
    )
    if pid is not None and _port_open(check):
        print(f"Cassandra is running on {check.where} (pid {pid}).")
        return 0
    if pid is None and _port_open(check):
        if cql_ready(check, 3.0):
            print(f"A Cassandra this script did not start answers on {check.where}.")
            return 0
        print(f"Something that is not Cassandra listens on {check.where}.")
        return NOT_RUNNING
    if pid is not None:
        print(f"Cassandra (pid {pid}) is alive but not answering on {check.where} (starting or stuck).")
    else:
        print("Cassandra is not running.")
    return NOT_RUNNING


# ---------------------------------------------------------------- tools


def nodetool(node: Node, args: list[str]) -> int:
    """Cassandra's own nodetool against ``node``'s JMX, from the jars `start` resolved; its exit status."""
    command = _nodetool_command(node, args)
    if command is None:
        return 1
    return subprocess.run(command, cwd=STATE if STATE.is_dir() else ROOT, check=False).returncode


def nodetool_output(node: Node, args: list[str]) -> str | None:
    """What nodetool prints, or None when it fails (say the node is down)."""
    command = _nodetool_command(node, args)
    if command is None:
        return None
    cwd = STATE if STATE.is_dir() else ROOT
    done = subprocess.run(command, cwd=cwd, check=False, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def _nodetool_command(node: Node, args: list[str]) -> list[str] | None:
    if not any(LIB.glob("cassandra-all-*.jar")):
        print(f"No Cassandra jars in {LIB}; run `scripts/cassandra_node.py resolve`.", file=sys.stderr)
        return None
    java, _ = _java()
    classpath = ":".join(str(jar) for jar in sorted(LIB.glob("*.jar")))
    options = _options_file(CONF / "jvm-clients.options", {"${conf}": str(CONF)})
    return [java, *options, "-cp", classpath, NODETOOL_CLASS, "-h", HOST, "-p", str(node.jmx_port), *args]


def _purge(node: Node, keyspace: str) -> int:
    """CassandraReadStore.purge's steps on this node, in order; stops at the first that fails."""
    if not KEYSPACE.fullmatch(keyspace):
        print(f"{keyspace!r} is not a keyspace name", file=sys.stderr)
        return 1
    steps: tuple[tuple[str, Callable[[], int]], ...] = (
        ("flush: memtables into SSTables", lambda: nodetool(node, ["flush", keyspace])),
        ("repair: every replica holds the deletes", lambda: nodetool(node, ["repair", "--full", keyspace])),
        (
            "compact with no grace: shadowed values and tombstones dropped",
            lambda: _compact_without_grace(node, keyspace),
        ),
        ("commit log: every segment recycled", lambda: _recycle_commit_log(node, keyspace)),
        ("snapshots cleared", lambda: nodetool(node, ["clearsnapshot", "--all", "--", keyspace])),
    )
    for number, (what, step) in enumerate(steps, 1):
        began = time.monotonic()
        if step() != 0:
            print(f"{number}. {what}: failed", file=sys.stderr)
            return 1
        print(f"{number}. {what} ({time.monotonic() - began:.1f} s)", flush=True)
    return 0


def _compact_without_grace(node: Node, keyspace: str) -> int:
    """Tombstones carry their row's key, and a key may hold erased text (a hashtag, a search term):
    compaction drops them only past ``gc_grace_seconds``. The grace exists so a replica that missed
    a delete cannot bring the row back; the repair before this step gave every replica the deletes,
    so the grace is set to 0 for this one compaction and then put back as it was."""
    logging.getLogger("cassandra").setLevel(logging.ERROR)
    from cassandra.cluster import Cluster

    cluster = Cluster([node.host], port=node.port, connect_timeout=10.0, control_connection_timeout=10.0)
    try:
        session = cluster.connect()
        rows = session.execute(
            "SELECT table_name, gc_grace_seconds FROM system_schema.tables WHERE keyspace_name = %s",
            (keyspace,),
        )
        graces = {row.table_name: row.gc_grace_seconds for row in rows}
        for table in graces:
            session.execute(f'ALTER TABLE {keyspace}."{table}" WITH gc_grace_seconds = 0', timeout=60)
        try:
            return nodetool(node, ["compact", keyspace])
        finally:
            for table, grace in graces.items():
                session.execute(
                    f'ALTER TABLE {keyspace}."{table}" WITH gc_grace_seconds = {grace}', timeout=60
                )
    except Exception as error:  # the driver's errors are many; each is reported the same way
        print(f"could not compact {keyspace} without grace on {node.where}: {error}", file=sys.stderr)
        return 1
    finally:
        cluster.shutdown()


def _recycle_commit_log(node: Node, keyspace: str) -> int:
    """Dropping a table makes the node switch to a new commit-log segment and flush every table with
    writes in the old ones, which are then deleted: a scratch table is created and dropped for that."""
    logging.getLogger("cassandra").setLevel(logging.ERROR)
    from cassandra.cluster import Cluster

    table = f"{keyspace}.purge_{os.urandom(4).hex()}"
    cluster = Cluster([node.host], port=node.port, connect_timeout=10.0, control_connection_timeout=10.0)
    try:
        session = cluster.connect()
        session.execute(f"CREATE TABLE {table} (k text PRIMARY KEY)", timeout=60)
        session.execute(f"DROP TABLE {table}", timeout=60)
    except Exception as error:  # the driver's errors are many; each is reported the same way
        print(f"could not create and drop {table} on {node.where}: {error}", file=sys.stderr)
        return 1
    finally:
        cluster.shutdown()
    return 0


# ---------------------------------------------------------------- jars


def _resolve(*, force: bool) -> None:
    """Copy cassandra-all and its runtime dependencies into .cassandra/lib, unless they are there already."""
    want = hashlib.sha256(POM.read_bytes()).hexdigest()
    fresh = LIB_STAMP.is_file() and LIB_STAMP.read_text().strip() == want
    if fresh and not force and any(LIB.glob("cassandra-all-*.jar")) and any(LIB.glob("jamm-*.jar")):
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        sys.exit(
            "Maven (mvn) fetches Cassandra from Maven Central; install it first (apt-get install maven)."
        )
    staging = STATE / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    print(f"Resolving Cassandra's jars from Maven Central into {LIB} ...", flush=True)
    began = time.monotonic()
    command = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies"]
    command += [f"-DoutputDirectory={staging}", "-DincludeScope=runtime"]
    done = subprocess.run(command, cwd=POM.parent, check=False, capture_output=True, text=True)
    if done.returncode != 0 or not any(staging.glob("cassandra-all-*.jar")):
        shutil.rmtree(staging, ignore_errors=True)
        print(done.stdout + done.stderr, file=sys.stderr)
        sys.exit(f"`{shlex.join(command)}` failed (exit {done.returncode}).")
    (staging / LIB_STAMP.name).write_text(want + "\n")
    shutil.rmtree(LIB, ignore_errors=True)
    staging.rename(LIB)
    _drop_cds_archives(NODE)  # made for the old jars; other nodes' archives are replaced as they start
    print(f"Resolved {sum(1 for _ in LIB.glob('*.jar'))} jars in {time.monotonic() - began:.1f} s.")


# ---------------------------------------------------------------- JVM


def _java() -> tuple[str, str]:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if java is None or not Path(java).exists():
        sys.exit("Cassandra 5.0 runs on Java 17: install it (apt-get install openjdk-17-jre-headless).")
    version = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    first = version.splitlines()[0] if version else "unknown"
    if '"17' not in first:
        print(
            f"warning: ops/cassandra/conf/jvm.options is written for Java 17; {java} is {first}",
            file=sys.stderr,
        )
    return java, version


def _jvm_options(node: Node) -> list[str]:
    """ops/cassandra/conf/jvm.options with its placeholders filled in for ``node``, then the node's own
    options, then $CASSANDRA_JVM_EXTRA_OPTS (for a repeated option the JVM takes the last)."""
    jamm = sorted(LIB.glob("jamm-*.jar"))
    if not jamm:
        sys.exit(f"No jamm jar in {LIB}; run `scripts/cassandra_node.py resolve`.")
    values = {
        "${repo}": str(ROOT),
        "${state}": str(node.state),
        "${conf}": str(CONF),
        "${config}": str(node.config),
        "${jmx_port}": str(node.jmx_port),
        "${jamm}": str(jamm[-1]),
    }
    options = _options_file(CONF / "jvm.options", values)
    options.extend(node.jvm_extra)
    options.extend(shlex.split(os.environ.get("CASSANDRA_JVM_EXTRA_OPTS", "")))
    return options


def _options_file(path: Path, values: dict[str, str]) -> list[str]:
    """One option per line, '#' comments and blank lines skipped, placeholders filled in."""
    options = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for name, value in values.items():
            line = line.replace(name, value)
        if "${" in line:
            sys.exit(f"Unknown placeholder in {path}: {raw}")
        # Split as Cassandra's shell scripts do: "--add-opens a/b=ALL-UNNAMED" is two arguments.
        options.extend(shlex.split(line))
    return options


def _cds_options(
    node: Node, java: str, version: str, options: list[str], classpath: str
) -> tuple[list[str], Path | None]:
    """Class-data sharing: the first run writes an archive of the classes it loaded when it exits, later
    runs map it (about a third less CPU to start). The archive is named by everything it depends on, so a
    new Java, new jars or new options make a new one. Returns the options and the archive to be written."""
    if os.environ.get("CASSANDRA_CDS", "1") == "0":
        return [], None
    key = hashlib.sha256()
    for part in (java, version, *options, classpath):
        key.update(part.encode() + b"\0")
    for jar in classpath.split(":"):
        stat = Path(jar).stat()
        key.update(f"{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    archive = node.state / f"cds-{key.hexdigest()[:16]}.jsa"
    unlock = ["-XX:+UnlockDiagnosticVMOptions", "-XX:+AllowArchivingWithJavaAgent"]
    if archive.is_file():
        return [*unlock, f"-XX:SharedArchiveFile={archive}"], None
    _drop_cds_archives(node)
    # -Xlog: the dump warns about every class it cannot archive (old class files, JFR events); not news.
    return [*unlock, f"-XX:ArchiveClassesAtExit={archive}", "-Xlog:cds*=error"], archive


def _cds_note(pid: int, cds: list[str]) -> str:
    """Whether the JVM mapped its archive; an archive it refused (say it is corrupt) is removed."""
    used = [o.split("=", 1)[1] for o in cds if o.startswith("-XX:SharedArchiveFile=")]
    if not used:
        return ""
    try:
        mapped = used[0] in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return ""
    if not mapped:
        Path(used[0]).unlink(missing_ok=True)
        return ", class-data archive refused and removed"
    return ", class-data archive used"


def _drop_cds_archives(node: Node) -> None:
    for old in node.state.glob("cds-*.jsa"):
        old.unlink(missing_ok=True)
    node.cds_pending.unlink(missing_ok=True)


def _launch(node: Node, command: list[str]) -> subprocess.Popen[bytes]:
    with open(node.logs / "stdout.log", "wb") as out:
        return subprocess.Popen(
            command,
            cwd=node.state,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            preexec_fn=_no_memory_locking,  # safe: this script runs no threads yet
        )


def _no_memory_locking() -> None:
    """Runs in the child before exec. Cassandra calls mlockall() at start; as root (with CAP_IPC_LOCK) that
    faults in and pins the whole 1 GiB heap: seconds of start time, 1.5 GiB resident from the first moment.
    Dropping CAP_IPC_LOCK from the bounding set makes the JVM exec without it, so mlockall() fails against
    RLIMIT_MEMLOCK and Cassandra logs a warning and goes on. Without the privilege to drop it: no-op."""
    import ctypes

    pr_capbset_drop, cap_ipc_lock = 24, 14
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_capbset_drop, cap_ipc_lock, 0, 0, 0)


# ---------------------------------------------------------------- process and port


def our_pid(node: Node) -> int | None:
    """The pid in the node's pid file if that process is alive and is a CassandraDaemon (pids get reused)."""
    pid = _read_int(node.pid_file)
    if pid is None or not _alive(pid, None):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return pid if MAIN_CLASS.encode() in cmdline else None


def _alive(pid: int, proc: subprocess.Popen[bytes] | None) -> bool:
    if proc is not None:
        return proc.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its new parent) counts as gone.
    with contextlib.suppress(OSError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1] != "Z"
    return True


def _terminate(pid: int, proc: subprocess.Popen[bytes] | None, grace: float) -> str:
    """SIGTERM (Cassandra drains: flushes memtables, stops listening), then SIGKILL after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid, proc):
                return sig.name
            time.sleep(0.1)
    return "still alive after SIGKILL"


def _port_open(node: Node) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((node.host, node.port), timeout=1.0):
        return True
    return False


def cql_ready(node: Node, timeout: float) -> bool:
    """True when the Python driver connects to ``node`` and runs a query on it, as the tests will."""
    logging.getLogger("cassandra").setLevel(logging.CRITICAL)
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import WhiteListRoundRobinPolicy

    # Only this node: with peers, the driver would otherwise send the query to any of them.
    only = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([node.host]))
    cluster = Cluster(
        [node.host],
        port=node.port,
        execution_profiles={EXEC_PROFILE_DEFAULT: only},
        connect_timeout=timeout,
        control_connection_timeout=timeout,
    )
    try:
        session = cluster.connect()
        session.execute("SELECT release_version FROM system.local", timeout=timeout)
    except Exception:
        return False
    finally:
        cluster.shutdown()
    return True


def _rss(pid: int) -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return f"{int(line.split()[1]) / 1024:.0f} MiB"
    return "unknown"


def _cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return float("nan")


def _print_log_tail(node: Node, lines: int = 40) -> None:
    for log in (node.logs / "system.log", node.logs / "stdout.log"):
        if log.is_file() and log.stat().st_size:
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            print(f"--- last {len(tail)} lines of {log} ---", file=sys.stderr)
            print("\n".join(tail), file=sys.stderr)


# ---------------------------------------------------------------- files


def _port(given: int | None) -> int:
    if given is not None:
        return given
    return int(os.environ.get("CASSANDRA_PORT") or DEFAULT_PORT)


def _jmx_port(given: int | None) -> int:
    if given is not None:
        return given
    return int(os.environ.get("CASSANDRA_JMX_PORT") or DEFAULT_JMX_PORT)


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _forget(node: Node) -> None:
    for path in (node.pid_file, node.port_file, node.marker, node.cds_pending):
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def lock(path: Path) -> Iterator[None]:
    """One start or stop at a time (two `make test` runs side by side)."""
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


if __name__ == "__main__":
    sys.exit(main())
