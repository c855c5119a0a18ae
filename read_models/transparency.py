"""The public transparency report, per calendar month (UTC), as the ``transparency`` projector keeps it.

- ``transparency_counts``: one partition per month; a row per (metric, key) with its count and the
  ``applied_position`` that keeps it exact under replay. Metrics: ``reports`` by reason,
  ``reports_by`` (``automatic``: filed by screening, ``manual``: by people), ``actions`` by kind,
  ``actions_by`` (``automatic`` / ``manual``), ``appeals`` (``filed``, ``granted``, ``denied``), and
  ``time_to_action``: how long cases waited from their first report to the action that resolved them,
  as a histogram (below).
- ``transparency_months``: the months that have any row, newest first, to list the latest.
- ``transparency_cases``: the projector's own state (when each open case was first reported); not
  for queries.

Counts and months are sharded (``projections.partition``): each partition of the projector writes its
own rows under its ``shard``, the last clustering column, so one partition read still gets a whole
month; the queries here add the shards up (and list a month once, whoever wrote it).

**The median time to action is bucketed, and says so.** An exact median needs every duration of the
month kept and the middle one found: a partition that grows with every action and a read that
walks half of it. Instead each duration is counted in a log-scale bucket: below a second in bucket
0, else bucket ``1 + floor(8 · log2(seconds))``, so a bucket spans a factor of 2^(1/8) (about 9%)
and a year of waiting takes some 200 buckets. The counts stay exact, so the median's *rank* is
exact; its *value* is the geometric middle of the bucket that holds it, within 2^(1/16) − 1 (about
4.4%) of the true median. Both bounds of that bucket are reported beside it. With an even count the
two middle ranks' values are averaged, as usual.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta

from read_models.live import ReadModel
from read_models.port import MAX_LIMIT, ReadStore
from read_models.tables import DESC, INT, TEXT, TIMESTAMP, Clustering, Table, columns_of

VERSION = 2  # 2: counts and months sharded by the partition that wrote them
MODEL = ReadModel("transparency", VERSION)
APPLIED = "applied_position"
#: The one partition listing months.
MONTHS_KEY = "months"
REPORTS, REPORTS_BY, ACTIONS, ACTIONS_BY, APPEALS, TIME_TO_ACTION = (
    "reports",
    "reports_by",
    "actions",
    "actions_by",
    "appeals",
    "time_to_action",
)
AUTOMATIC, MANUAL = "automatic", "manual"
#: Buckets per doubling of the duration: a bucket spans a factor of 2^(1/STEPS).
STEPS = 8
MAX_MONTHS = 24

TRANSPARENCY_COUNTS = Table(
    "transparency_counts",
    columns=columns_of(month=TEXT, metric=TEXT, key=TEXT, shard=TEXT, count=INT, **{APPLIED: INT}),
    partition_key=("month",),
    clustering=(Clustering("metric"), Clustering("key"), Clustering("shard")),
)
TRANSPARENCY_MONTHS = Table(
    "transparency_months",
    columns=columns_of(list=TEXT, month=TEXT, shard=TEXT),
    partition_key=("list",),
    clustering=(Clustering("month", DESC), Clustering("shard")),
)
TRANSPARENCY_CASES = Table(
    "transparency_cases",
    columns=columns_of(case_id=TEXT, first_reported_at=TIMESTAMP, **{APPLIED: INT}),
    partition_key=("case_id",),
)
TABLES = (TRANSPARENCY_COUNTS, TRANSPARENCY_MONTHS, TRANSPARENCY_CASES)


def month_of(moment: datetime) -> str:
    """The calendar month, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def bucket_of(waited: timedelta) -> int:
    seconds = waited.total_seconds()
    return 0 if seconds < 1 else 1 + math.floor(STEPS * math.log2(seconds))


def bucket_key(bucket: int) -> str:
    """Zero-padded, so the keys sort as the buckets do."""
    return f"{bucket:05d}"


def bucket_bounds(bucket: int) -> tuple[float, float]:
    """The seconds a bucket spans: [low, high)."""
    if bucket == 0:
        return 0.0, 1.0
    return 2 ** ((bucket - 1) / STEPS), 2 ** (bucket / STEPS)


def bucket_value(bucket: int) -> float:
    """The bucket's geometric middle (its arithmetic one below a second)."""
    low, high = bucket_bounds(bucket)
    return 0.5 if bucket == 0 else math.sqrt(low * high)


@dataclasses.dataclass(frozen=True, slots=True)
class Median:
    seconds: float
    low_s: float  # the bounds of the bucket(s) it lies in
    high_s: float
    of: int  # how many actions it is the median of


@dataclasses.dataclass(frozen=True, slots=True)
class Month:
    month: str
    reports: dict[str, int]
    reports_by: dict[str, int]
    actions: dict[str, int]
    actions_by: dict[str, int]
    appeals: dict[str, int]
    median_time_to_action: Median | None


def median_of(histogram: dict[int, int]) -> Median | None:
    """The median of a bucketed histogram: exact rank, value the middle of its bucket."""
    total = sum(histogram.values())
    if total == 0:
        return None
    ranks = (total // 2, total // 2 + 1) if total % 2 == 0 else (total // 2 + 1,)
    found = [_bucket_at(histogram, rank) for rank in ranks]
    value = sum(bucket_value(b) for b in found) / len(found)
    return Median(value, bucket_bounds(min(found))[0], bucket_bounds(max(found))[1], total)


def _bucket_at(histogram: dict[int, int], rank: int) -> int:
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return bucket
    raise ValueError(f"rank {rank} beyond {seen}")


def month(store: ReadStore, which: str) -> Month:
    """One month's report, its shards added up; a month with nothing in it reads as zeros."""
    table = MODEL.table(store, TRANSPARENCY_COUNTS)
    metrics: dict[str, dict[str, int]] = {}
    cursor: str | None = None
    while True:
        page = store.page(table, {"month": which}, limit=1000, cursor=cursor)
        for row in page.rows:
            counts = metrics.setdefault(row["metric"], {})
            counts[row["key"]] = counts.get(row["key"], 0) + (row["count"] or 0)
        if page.cursor is None:
            break
        cursor = page.cursor
    histogram = {int(key): count for key, count in metrics.get(TIME_TO_ACTION, {}).items() if count}
    return Month(
        month=which,
        reports=metrics.get(REPORTS, {}),
        reports_by={AUTOMATIC: 0, MANUAL: 0, **metrics.get(REPORTS_BY, {})},
        actions=metrics.get(ACTIONS, {}),
        actions_by={AUTOMATIC: 0, MANUAL: 0, **metrics.get(ACTIONS_BY, {})},
        appeals={"filed": 0, "granted": 0, "denied": 0, **metrics.get(APPEALS, {})},
        median_time_to_action=median_of(histogram),
    )


def latest_months(store: ReadStore, count: int) -> list[str]:
    """The newest ``count`` months with anything in them, newest first: a month is listed by each
    shard that counted in it, so rows are read until ``count`` months are found."""
    table = MODEL.table(store, TRANSPARENCY_MONTHS)
    months: dict[str, None] = {}
    cursor: str | None = None
    while len(months) < count:
        page = store.page(table, {"list": MONTHS_KEY}, limit=MAX_LIMIT, cursor=cursor)
        months.update((row["month"], None) for row in page.rows)
        if page.cursor is None:
            break
        cursor = page.cursor
    return list(months)[:count]
