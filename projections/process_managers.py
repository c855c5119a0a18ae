"""The process managers that run beside the projectors (``transcode_requests``, ``media_cleanup``),
by name: for ``strom projections status`` and the lag metrics, so operators see them fall behind or
stop as they see a projector.

Each keeps one checkpoint row in ``projection_checkpoints`` (build ``v1``, the whole log), written as
it goes, whether or not the events it passes concern it.
"""

from __future__ import annotations

from projections import (
    cover_requests,
    data_export_jobs,
    data_exports,
    erasure_cascade,
    following,
    media_cleanup,
    publish_schedule,
    screening_requests,
    transcode_requests,
)
from read_models import projection_state
from read_models.errors import ReadStoreError
from read_models.port import ReadStore

#: (name, build) of each process manager.
ALL: tuple[tuple[str, str], ...] = (
    (transcode_requests.NAME, following.BUILD),
    (screening_requests.NAME, following.BUILD),
    (cover_requests.NAME, following.BUILD),
    (media_cleanup.NAME, media_cleanup.BUILD),
    (data_exports.NAME, following.BUILD),
    (data_export_jobs.BUILDER, following.BUILD),
    (erasure_cascade.NAME, erasure_cascade.BUILD),
    (publish_schedule.NAME, publish_schedule.BUILD),
)


def checkpoints(store: ReadStore) -> dict[str, int]:
    """Each process manager's checkpoint (0 before it first ran). A store that does not answer
    yields nothing rather than failing the scrape."""
    try:
        return {name: projection_state.checkpoint_of(store, name, build) for name, build in ALL}
    except ReadStoreError:
        return {}
