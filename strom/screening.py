"""Screening's wiring: the rules from settings and the operator's files, the scanner, the workers
and the process manager that asks for jobs."""

from __future__ import annotations

import threading
from pathlib import Path

import dramatiq

from commands.context import Ports
from domain.screening import Action, CommentAction, Policy, Rules, WatchedWords, parse_words
from eventstore.codec import EventCodec
from eventstore.port import EventStore
from media.screening.blocklist import BlocklistFile
from media.screening.frames import FrameSampler
from media.screening.nsfw import NudeNetClassifier
from media.screening.scan import Scanner, ScanSettings
from media.storage import MediaStorage
from projections.screening_requests import ScreeningRequests
from read_models.port import ReadStore
from strom.settings import Settings
from workers.broker import is_durable
from workers.screening import (
    Screening,
    ScreeningWorkers,
    declare_screening,
    screening_retries,
    screening_sender,
    start_screening_workers,
)


def policy_of(settings: Settings) -> Policy:
    return Policy(
        nsfw_threshold=settings.screening_nsfw_threshold,
        nsfw_action=Action(settings.screening_nsfw_action),
        hash_action=Action(settings.screening_hash_action),
        comment_action=CommentAction(settings.screening_comment_action),
    )


class FileRules:
    """The policy from settings and the watched words from their file, read again when the file
    changes (its modification time and size): an operator's edit applies to the next command."""

    def __init__(self, policy: Policy, words_file: Path) -> None:
        self._policy, self._file = policy, words_file
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._rules = Rules(policy=policy)

    @classmethod
    def from_settings(cls, settings: Settings) -> FileRules:
        return cls(policy_of(settings), settings.screening_watched_words)

    def current(self) -> Rules:
        try:
            info = self._file.stat()
            seen: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            seen = None
        with self._lock:
            if seen != self._seen:
                self._rules = Rules(policy=self._policy, words=self._words(seen))
                self._seen = seen
            return self._rules

    def _words(self, seen: tuple[int, int] | None) -> WatchedWords:
        if seen is None:
            return WatchedWords()
        return parse_words(self._file.read_text().splitlines())


def scanner_for(settings: Settings) -> Scanner:
    return Scanner(
        sampler=FrameSampler(),
        blocklist=BlocklistFile(settings.screening_blocklist),
        classifier=NudeNetClassifier(),
        settings=ScanSettings(
            frames=settings.screening_frames,
            max_distance=settings.screening_hash_distance,
            min_frames=settings.screening_hash_min_frames,
        ),
    )


def screening_for(settings: Settings, ports: Ports, storage: MediaStorage) -> Screening:
    return Screening(ports, storage, scanner_for(settings))


def start_screening(
    settings: Settings,
    broker: dramatiq.Broker,
    ports: Ports,
    storage: MediaStorage,
    *,
    threads: int | None = None,
) -> ScreeningWorkers:
    """The screening workers: ``threads`` jobs at once, ``STROM_SCREENING_WORKERS`` unless given."""
    declare_screening(
        broker, screening_for(settings, ports, storage), screening_retries(settings.job_max_retries)
    )
    return start_screening_workers(broker, threads or settings.screening_workers)


def screening_requests(
    broker: dramatiq.Broker, *, events: EventStore, codec: EventCodec, store: ReadStore
) -> ScreeningRequests:
    """With a queue that dies with the process, it re-reads the log from the start (see
    ``strom.pipeline.transcode_requests``)."""
    return ScreeningRequests(
        events=events,
        codec=codec,
        store=store,
        enqueue=screening_sender(broker),
        from_start=not is_durable(broker),
    )
