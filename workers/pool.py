"""The transcoding pool: how many transcodes run at once, and which goes first.

Why two queues rather than message priorities: dramatiq's actor priority only orders the messages
a worker has already fetched; Redis has no priority of its own, and RabbitMQ's needs queues
declared with a maximum priority, so a priority set when a job is queued would not mean the same
on every broker. Separate queues do: ``transcode-short`` and ``transcode`` (``workers/jobs.py``),
each with its own consumer, so a short clip is fetched as soon as a thread can take it instead of
waiting behind the long jobs queued before it.

The pool's threads are split into lanes, each a dramatiq worker of its own. With two or more,
half of them (rounded up) serve only short clips and the rest only long videos: however many
ten-minute uploads are transcoding, a short clip starts as soon as a short-lane thread is free.
The lanes do not lend threads to each other on purpose: a dramatiq worker fetches a message while
its threads are busy (to have the next one ready), so a thread serving both queues would hold a
short clip back behind its long job while the short lane sat idle. With a single thread, it serves
both queues, short clips first: a short clip then waits at most for the job in progress.

Fairness between uploaders comes from the per-user cap on queued jobs (``services/uploads.py``):
one person's batch of long uploads cannot fill the long queue for everyone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator

import dramatiq
from dramatiq import Worker

from workers.jobs import LONG_QUEUE, QUEUES, SHORT_QUEUE


@dataclasses.dataclass(frozen=True, slots=True)
class Lane:
    queues: frozenset[str]
    threads: int

    def __str__(self) -> str:
        """``2 threads on transcode-short``."""
        queues = " and ".join(queue for queue in QUEUES if queue in self.queues)
        return f"{self.threads} thread{'s' if self.threads > 1 else ''} on {queues}"


def lanes(size: int) -> list[Lane]:
    """``size`` threads as lanes: short clips and long videos apart once there are two."""
    if size < 2:
        return [Lane(frozenset(QUEUES), 1)]
    short = (size + 1) // 2
    return [Lane(frozenset({SHORT_QUEUE}), short), Lane(frozenset({LONG_QUEUE}), size - short)]


class Pool:
    """Running dramatiq workers, one per lane."""

    def __init__(self, lanes: list[Lane], workers: list[Worker]) -> None:
        self.lanes = lanes
        self.workers = workers

    def __str__(self) -> str:
        return ", ".join(str(lane) for lane in self.lanes)

    def stop(self) -> None:
        """Lets the jobs in progress finish; what was fetched and not started goes back."""
        for worker in self.workers:
            worker.stop()


def start_pool(broker: dramatiq.Broker, size: int) -> Pool:
    """Serves the transcode queues with ``size`` threads; the actors must be declared already."""
    for queue in QUEUES:
        broker.declare_queue(queue)
    workers = []
    planned = lanes(size)
    with another_worker(broker):
        for lane in planned:
            worker = Worker(broker, queues=set(lane.queues), worker_threads=lane.threads)
            # A transcode takes minutes: fetch no more than the lane can run and leave the rest on
            # a shared broker for other workers (dramatiq's default fetches twice as many).
            worker.queue_prefetch = lane.threads
            worker.start()
            workers.append(worker)
    return Pool(planned, workers)


class _SameTypeTwice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "same type twice" not in record.getMessage()


@contextlib.contextmanager
def another_worker(broker: dramatiq.Broker) -> Iterator[None]:
    """Each dramatiq worker adds its own middleware to the broker, which warns when a second of the
    same type arrives: expected here, with one worker per lane and the screening worker beside them."""
    quiet = _SameTypeTwice()
    broker.logger.addFilter(quiet)
    try:
        yield
    finally:
        broker.logger.removeFilter(quiet)
