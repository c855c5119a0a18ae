"""Prometheus metrics, one registry per app so several apps (tests) never collide."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "strom_http_request_seconds",
            "HTTP request latency by route",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.appends = Histogram(
            "strom_append_seconds",
            "Event-store append latency",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch_projections(
        self, head: Callable[[], int], checkpoints: Callable[[], Mapping[str, int]]
    ) -> None:
        """Checkpoint and lag per projector (process managers included), read when scraped (so they
        are never stale)."""
        self.registry.register(_ProjectionLag(head, checkpoints))

    def exposition(self) -> Response:
        return Response(generate_latest(self.registry), media_type="text/plain; version=0.0.4")


class _ProjectionLag(Collector):
    def __init__(self, head: Callable[[], int], checkpoints: Callable[[], Mapping[str, int]]) -> None:
        self._head = head
        self._checkpoints = checkpoints

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag = GaugeMetricFamily(
            "strom_projection_lag_events",
            "Events in the log the live build (or process manager) has not applied",
            labels=["projector"],
        )
        checkpoint = GaugeMetricFamily(
            "strom_projection_checkpoint",
            "Global position the live build (or process manager) has applied up to",
            labels=["projector"],
        )
        head = self._head()
        for name, position in self._checkpoints().items():
            lag.add_metric([name], max(0, head - position))
            checkpoint.add_metric([name], position)
        yield lag
        yield checkpoint


class RequestTimer:
    """Times every request under its route template (``/v1/videos/{video_id}``), not its raw path.
    An event stream (``text/event-stream``) is timed to its first byte: it lasts as long as the
    client stays, which says nothing of how fast it was answered."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        #: Each label set's histogram, found once: ``labels`` checks and locks on every call. Few
        #: sets exist (the server parses only known methods; routes are templates).
        self._timed: dict[tuple[str, str, str], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        elapsed: float | None = None

        async def tracked(message: Message) -> None:
            nonlocal status, elapsed
            if message["type"] == "http.response.start":
                status = message["status"]
                if any(
                    name == b"content-type" and value.startswith(b"text/event-stream")
                    for name, value in message.get("headers", ())
                ):
                    elapsed = time.perf_counter() - started
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started if elapsed is None else elapsed
            labels = (scope["method"], route, str(status))
            timed = self._timed.get(labels)
            if timed is None:
                timed = self._timed[labels] = self.metrics.requests.labels(*labels)
            timed.observe(elapsed)
