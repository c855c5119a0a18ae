"""``strom screening``: the operator's blocklist, and re-screening past uploads after a policy change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from commands import videos as video_handlers
from commands.audit import AsOf, parse_as_of
from domain import videos
from eventstore.envelope import EventFilter
from eventstore.port import EventStore
from media.probe import NotPlayable
from media.screening.blocklist import BlocklistFile
from media.screening.frames import FrameSampler
from media.screening.hashing import frame_hashes, parse_hash
from strom.ports import ports_for
from strom.screening import screening_for
from strom.settings import Settings
from strom.wiring import open_event_store, open_key_store, open_media_storage

screening_app = typer.Typer(no_args_is_help=True, help="Operators: automatic screening.")
blocklist_app = typer.Typer(no_args_is_help=True, help="The blocklist of frame hashes (known-bad media).")
screening_app.add_typer(blocklist_app, name="blocklist")


def _blocklist() -> BlocklistFile:
    return BlocklistFile(Settings().screening_blocklist)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@blocklist_app.command("add")
def add_command(
    what: Annotated[str, typer.Argument(help="A video file to blocklist, or a frame hash (16 hex digits).")],
    note: Annotated[str | None, typer.Option(help="Where it came from (default: the file's name).")] = None,
) -> None:
    """Blocklist a clip by the hashes of its frames (sampled as uploads are), or one hash. An upload
    whose frames match is blocked and reported; `strom screening replay` applies it to past uploads."""
    settings = Settings()
    path = Path(what)
    try:
        if path.exists():
            frames = FrameSampler().sample(path, settings.screening_frames)
            hashes = frame_hashes(frames)
            if not hashes:
                raise _fail(f"{what}: every frame sampled is flat (one colour); nothing to blocklist")
        else:
            hashes = [parse_hash(what)]
    except (NotPlayable, ValueError) as exc:
        raise _fail(f"{what}: {exc}") from exc
    added = _blocklist().add(hashes, note or path.name)
    for entry in added:
        typer.echo(f"added {entry.id} {entry.note}")
    typer.echo(f"{len(added)} added, {len(hashes) - len(added)} already there")


@blocklist_app.command("list")
def list_command() -> None:
    """Every entry: its hash and the operator's note."""
    entries = _blocklist().entries()
    for entry in entries:
        typer.echo(f"{entry.id} {entry.note}".rstrip())
    typer.echo(f"{len(entries)} entries", err=True)


@blocklist_app.command("remove")
def remove_command(
    hashes: Annotated[list[str], typer.Argument(help="Hashes to remove (16 hex digits each).")],
) -> None:
    """Take entries off the blocklist; uploads blocked by them stay blocked until replayed."""
    try:
        removed = _blocklist().remove(hashes)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    for entry in removed:
        typer.echo(f"removed {entry.id} {entry.note}".rstrip())
    typer.echo(f"{len(removed)} removed")


@screening_app.command("replay")
def replay_command(
    since: Annotated[
        str | None, typer.Option(help="Uploads after this global position, or from this ISO-8601 time.")
    ] = None,
) -> None:
    """Screen past uploads again under the policy, blocklist and classifier in force now, here and
    now, one after another. Each gets a new verdict only if it differs (or the policy version does);
    an upload replaced or deleted since, or already screened under this version, is skipped."""
    try:
        after = parse_as_of(since)
    except ValueError as exc:
        raise _fail(str(exc).replace("--as-of", "--since")) from exc
    settings = Settings()
    keys, store = open_key_store(settings), open_event_store(settings)
    try:
        ports = ports_for(settings, store, keys)
        screening = screening_for(settings, ports, open_media_storage(settings))
        version = screening.policy_version()
        screened = skipped = 0
        for video_id, upload_id in uploads(store, after):
            state = video_handlers.current(ports, video_id)
            if not videos.awaits_screening(state, upload_id, version):
                skipped += 1
                continue
            screening.run(video_id, upload_id)
            screened += 1
            typer.echo(f"screened video {video_id} upload {upload_id}", err=True)
    finally:
        store.close()
        keys.close()
    typer.echo(f"policy version {version}: {screened} screened, {skipped} skipped")


def uploads(store: EventStore, since: AsOf) -> Iterator[tuple[str, str]]:
    """Each upload completed after ``since``, oldest first."""
    after = since if isinstance(since, int) else None
    for record in store.read_all(after=after, filter=EventFilter(types=("VideoUploadCompleted",))):
        if isinstance(since, datetime) and datetime.fromisoformat(record.metadata.occurred_at) < since:
            continue
        yield str(record.data["video_id"]), str(record.data["upload_id"])
