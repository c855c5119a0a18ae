"""The public transparency report: what moderation did, month by month, in aggregate only.

``GET /v1/transparency`` answers the latest months (12 unless ``months`` says otherwise), or the one
``month=YYYY-MM`` names. Anyone may read it, signed in or not: it holds counts, never who or what.
The median time to action is bucketed (``read_models/transparency.py``): the bounds of its bucket
are given beside it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.problems import problems
from api.reading import MinPosition, ReadStoreDep, caught_up, query
from read_models import transparency as model
from read_models.port import ReadStore

router = APIRouter(prefix="/v1/transparency", tags=["transparency"])

MonthQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$",
        description="One calendar month (UTC), as YYYY-MM; the latest months when left out",
    ),
]
MonthsQuery = Annotated[
    int, Query(ge=1, le=model.MAX_MONTHS, description="How many of the latest months, newest first")
]


class MedianPublic(BaseModel):
    seconds: float = Field(description="The median, as the middle of the log-scale bucket it falls in")
    low_seconds: float = Field(description="The bucket's lower bound: the true median is not below it")
    high_seconds: float = Field(description="The bucket's upper bound: the true median is below it")
    of: int = Field(description="How many resolved cases it is the median of")


class TransparencyMonth(BaseModel):
    month: str = Field(description="YYYY-MM (UTC)")
    reports: dict[str, int] = Field(description="Reports filed, by reason")
    reports_by: dict[str, int] = Field(description="automatic: filed by screening; manual: by people")
    actions: dict[str, int] = Field(description="Actions taken, by kind (remove_video, strike, hold_video…)")
    actions_by: dict[str, int] = Field(description="automatic: screening's verdicts; manual: moderators'")
    appeals: dict[str, int] = Field(description="filed, granted and denied")
    median_time_to_action: MedianPublic | None = Field(
        description="From a case's first report to the action that resolved it; null with none resolved"
    )


class TransparencyReport(BaseModel):
    items: list[TransparencyMonth]


@router.get(
    "",
    response_model=TransparencyReport,
    summary="Moderation in aggregate, month by month",
    responses=problems(
        s422="The month is not YYYY-MM, or months is out of range",
        s503="The transparency read model is not built yet, or has not caught up with min_position",
    ),
)
async def transparency(
    store: ReadStoreDep, month: MonthQuery = None, months: MonthsQuery = 12, min_position: MinPosition = None
) -> TransparencyReport:
    """Counts of reports by reason, actions by kind, automatic against manual, appeal outcomes and
    the median time from first report to action. A month with nothing in it reads as zeros."""
    await caught_up(store, model.MODEL, min_position)
    return await query(model.MODEL, lambda: _report(store, month, months))


def _report(store: ReadStore, month: str | None, months: int) -> TransparencyReport:
    which = [month] if month is not None else model.latest_months(store, months)
    return TransparencyReport(items=[_public(model.month(store, m)) for m in which])


def _public(found: model.Month) -> TransparencyMonth:
    median = found.median_time_to_action
    return TransparencyMonth(
        month=found.month,
        reports=found.reports,
        reports_by=found.reports_by,
        actions=found.actions,
        actions_by=found.actions_by,
        appeals=found.appeals,
        median_time_to_action=None
        if median is None
        else MedianPublic(
            seconds=median.seconds, low_seconds=median.low_s, high_seconds=median.high_s, of=median.of
        ),
    )
