"""What every benchmark reports: rates, the targets they answer to, lines of ours next to a limit.

Each benchmark measures one or more operations twice, through our code and as the least work the
engine or framework does for the same result (the "limit"), and prints one table row and one JSON
entry per operation. The pieces here are shared so the three benchmarks read and write alike.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

T = TypeVar("T")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclasses.dataclass(frozen=True, slots=True)
class Rate:
    """Things done in a time, latencies (seconds, one per timed call) and what went wrong.

    ``count`` is events, rows, pages or requests, as the line's ``unit`` says; ``latencies`` only
    where calls are timed; ``failures`` only where a call can fail without ending the run (the API).
    """

    count: int = 0
    seconds: float = 0.0
    latencies: tuple[float, ...] = ()
    failures: tuple[str, ...] = ()

    def __add__(self, other: Rate) -> Rate:
        return Rate(
            self.count + other.count,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.failures + other.failures,
        )

    @property
    def per_s(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "seconds": round(self.seconds, 4),
            "per_s": round(self.per_s, 1),
            "p50_ms": _round(self.percentile_ms(50)),
            "p99_ms": _round(self.percentile_ms(99)),
            "failures": len(self.failures),
        }

    def cell(self, unit: str = "") -> str:
        """``1,234 rows/s (p50 0.10, p99 0.50 ms)``, the latencies only where calls were timed."""
        p50, p99 = self.percentile_ms(50), self.percentile_ms(99)
        text = f"{self.per_s:,.0f} {unit}/s" if unit else f"{self.per_s:,.0f}/s"
        return text if p50 is None or p99 is None else f"{text} (p50 {p50:.2f}, p99 {p99:.2f} ms)"


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """The bar a line's verdict is printed against: a rate, a p99, or both, and where it comes from.

    Mostly a row of DESIGN.md section 11; ``source`` names the row where it is not the line's own.
    A rate with failures never meets a target.
    """

    per_s: float | None = None
    p99_ms: float | None = None
    source: str | None = None

    def met_by(self, rate: Rate) -> bool:
        p99 = rate.percentile_ms(99)
        fast = self.p99_ms is None or (p99 is not None and p99 <= self.p99_ms)
        return fast and (self.per_s is None or rate.per_s >= self.per_s) and not rate.failures

    def text(self, unit: str = "") -> str:
        """``>= 5,000/s, p99 <= 5 ms``, with the line's unit and the source where they are given."""
        per_s = f" {unit}/s" if unit else "/s"
        parts = [] if self.per_s is None else [f">= {self.per_s:,.0f}{per_s}"]
        parts += [] if self.p99_ms is None else [f"p99 <= {self.p99_ms:g} ms"]
        text = ", ".join(parts)
        return text if self.source is None else f"{text} ({self.source})"

    def __str__(self) -> str:
        return self.text()

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "per_s": self.per_s, "p99_ms": self.p99_ms}


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """One operation measured both ways; ``key`` names it in the JSON, ``operation`` in the table."""

    key: str
    operation: str
    ours: Rate
    limit: Rate
    target: Target
    how: str
    #: What ``count`` counts, shown in the table ("rows", "req"); empty for events.
    unit: str = ""

    @property
    def met(self) -> bool:
        return self.target.met_by(self.ours)

    @property
    def ratio(self) -> float:
        return self.ours.per_s / self.limit.per_s if self.limit.per_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"unit": self.unit} if self.unit else {}
        return out | {
            "how": self.how,
            "ours": self.ours.as_dict(),
            "limit": self.limit.as_dict(),
            "ratio": round(self.ratio, 3),
            "target": self.target.as_dict(),
            "met": self.met,
        }


def alternate(
    items: Sequence[T], ours: Callable[[Sequence[T]], Rate], limit: Callable[[Sequence[T]], Rate], rounds: int
) -> tuple[Rate, Rate]:
    """Limit then ours on each of ``rounds`` chunks, so a disk or node that slows down hurts both alike."""
    ours_total, limit_total = Rate(), Rate()
    step = max(1, -(-len(items) // rounds))
    for begin in range(0, len(items), step):
        limit_total += limit(items[begin : begin + step])
        ours_total += ours(items[begin : begin + step])
    return ours_total, limit_total


@dataclasses.dataclass(frozen=True, slots=True)
class Memory:
    """A process's resident memory now and at its peak (``VmRSS``, ``VmHWM``), in MiB."""

    rss_mib: float
    peak_mib: float

    def cell(self) -> str:
        return f"{self.rss_mib:,.0f} MiB resident, peak {self.peak_mib:,.0f} MiB"

    def as_dict(self) -> dict[str, float]:
        return {"rss_mib": self.rss_mib, "peak_mib": self.peak_mib}


def memory_of(pid: int) -> Memory:
    """Read from ``/proc`` while the process still runs (Linux only, like the rest of the benchmarks)."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return Memory(fields["VmRSS"], fields["VmHWM"])


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def table(lines: Sequence[Line], *, limit: str = "limit", target: str = "target") -> str:
    """One row per line, columns padded; ``limit`` and ``target`` are the headers of those columns."""
    head = ("operation", "ours", limit, "ratio", target, "met")
    rows = [head] + [
        (
            x.operation,
            x.ours.cell(x.unit),
            x.limit.cell(x.unit),
            f"{x.ratio:.2f}",
            x.target.text(x.unit),
            "yes" if x.met else "no",
        )
        for x in lines
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(text)


def save(out: Path, results: dict[str, Any]) -> None:
    """The JSON results, indented; says where they went."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    print(f"\nresults: {out}")
