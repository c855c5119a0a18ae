"""Wiring for the publish schedule: the process manager, with the command it gives on this
deployment's stores."""

from __future__ import annotations

from datetime import UTC, datetime

from commands.context import Ports, Request
from commands.friction import Clock
from commands.scheduling import publish_when_due
from domain import videos
from projections.publish_schedule import SCAN_EVERY_S, PublishSchedule
from read_models.port import ReadStore


def _now() -> datetime:
    return datetime.now(UTC)


def publish_schedule(
    ports: Ports, store: ReadStore, *, clock: Clock = _now, every_s: float = SCAN_EVERY_S
) -> PublishSchedule:
    """Publishes as the schedule (``PUBLISH_SCHEDULER``), through the same handler and decider any
    caller uses, with the clock the scanner reads."""

    def publish(video_id: str, publish_at: datetime) -> None:
        cmd = videos.PublishWhenDue(videos.PUBLISH_SCHEDULER, video_id, publish_at)
        publish_when_due(cmd, ports=ports, request=Request(videos.PUBLISH_SCHEDULER), clock=clock)

    return PublishSchedule(
        events=ports.store, codec=ports.codec, store=store, publish=publish, clock=clock, every_s=every_s
    )
