"""People's standing, their notices, and videos' labels (``read_models/moderation_standing.py``).

Each event rewrites the rows it is about whole, from what they held, stamped with its position: a
replayed event rewrites what it wrote, and an older one never overwrites a newer row. Nothing is a
total, so no ``applied_position`` is needed; but a replay may read a row that already holds the
event's effect, so every change is one that applying twice leaves as once (sets, replace by id).

Entities: the person for standing events (every notice of theirs in one partition), the video for
upload, screening and label events. An erasure drops the person's notices, and their standing for
a row that says ``erased`` and nothing else: their videos are withheld from then on, before the
erasure cascade has deleted them. Standing events after it change nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.accounts.events import ErasureRequested
from domain.moderation.rules import ADVERSE, ActionKind
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    AppealDecided,
    AppealFiled,
    ContentModerated,
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
)
from domain.videos.events import VideoLabelled, VideoScreened, VideoUnlabelled, VideoUploadCompleted
from eventstore.codec import Decoded
from projections.projector import Projector
from projections.writer import Writer
from read_models.moderation_standing import (
    MOD_NOTICES,
    MOD_STANDING,
    TABLES,
    VERSION,
    VIDEO_LABELS,
    Restriction,
    restriction_text,
    standing_of,
    strike_text,
)
from read_models.tables import Row

NAME = "moderation_standing"
STANDING_EVENTS = (
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
    AccountSuspended,
    AccountUnsuspended,
    ContentModerated,
    AppealFiled,
    AppealDecided,
)
VIDEO_EVENTS = (VideoUploadCompleted, VideoScreened, VideoLabelled, VideoUnlabelled)
HANDLES = (*STANDING_EVENTS, *VIDEO_EVENTS, ErasureRequested)
StandingEvent = (
    RestrictionImposed
    | RestrictionLifted
    | StrikeRecorded
    | StrikeRemoved
    | AccountSuspended
    | AccountUnsuspended
    | ContentModerated
    | AppealFiled
    | AppealDecided
)


def project(decoded: Decoded, writer: Writer) -> None:
    event = decoded.event
    if isinstance(event, VIDEO_EVENTS):
        _labels(writer, event)
    elif isinstance(event, ErasureRequested):
        _forget(writer, event.user_id)
    elif isinstance(event, STANDING_EVENTS) and not _erased(writer, event.user_id):
        _standing(writer, event)
        _notice(writer, decoded, event)


def entity(decoded: Decoded) -> str:
    data = decoded.event.to_data()
    return str(data["video_id"] if isinstance(decoded.event, VIDEO_EVENTS) else data["user_id"])


# -- standing --------------------------------------------------------------------------------------


def _standing(writer: Writer, event: StandingEvent) -> None:
    """The person's suspension, restrictions and strikes as the event leaves them."""
    key = {"user_id": event.user_id}
    row: Row = {
        **dict.fromkeys(MOD_STANDING.names),
        **(writer.get("mod_standing", key) or {}),
        **key,
    }
    current = standing_of({**row, "suspended": bool(row["suspended"])})
    restrictions, strikes = current.restrictions, current.strikes
    match event:
        case RestrictionImposed(capability=capability, action_id=action_id):
            imposed = Restriction(capability, datetime.fromisoformat(event.until), action_id)
            restrictions = [*(r for r in restrictions if r.capability != capability), imposed]
        case RestrictionLifted(action_id=action_id):
            restrictions = [r for r in restrictions if r.action_id != action_id]
        case StrikeRecorded(action_id=action_id):
            kept = [s for s in strikes if s[0] != action_id]  # a replay finds it there already
            strikes = [*kept, (action_id, datetime.fromisoformat(event.expires_at))]
        case StrikeRemoved(action_id=action_id):
            strikes = [s for s in strikes if s[0] != action_id]
        case AccountSuspended():
            row.update(suspended=True, suspension_id=event.action_id, suspended_until=_at(event.until))
        case AccountUnsuspended(action_id=action_id) if row["suspension_id"] in (None, action_id):
            row.update(suspended=False, suspended_until=None)
        case _:
            return
    row["restrictions"] = [restriction_text(r.capability, r.until, r.action_id) for r in restrictions]
    row["strikes"] = [strike_text(action_id, expires) for action_id, expires in strikes]
    writer.upsert("mod_standing", row)


# -- notices ---------------------------------------------------------------------------------------


def _notice(writer: Writer, decoded: Decoded, event: StandingEvent) -> None:
    notice: Row = {
        **dict.fromkeys(MOD_NOTICES.names),
        "user_id": event.user_id,
        "position": writer.position,
        "at": datetime.fromisoformat(decoded.record.metadata.occurred_at),
        "kind": type(event).event_type,
        "action_id": event.action_id,
        "reason": getattr(event, "reason", None),
        "appealable": False,
        **_about(event),
    }
    writer.upsert("mod_notices", notice)
    if notice["appealable"]:
        index = {"action_id": event.action_id, "user_id": event.user_id, "position": writer.position}
        writer.upsert("mod_notice_index", index)
    if isinstance(event, AppealFiled | AppealDecided):
        _appeal_progress(writer, event)


def _about(event: StandingEvent) -> dict[str, Any]:
    """The notice's fields about the action: what it was, on what, until when."""
    user = {"target_kind": "user", "target_id": event.user_id}
    match event:
        case RestrictionImposed():
            return {
                **user,
                "action": ActionKind.RESTRICT,
                "capability": event.capability,
                "until": _at(event.until),
                "appealable": True,
            }
        case RestrictionLifted():
            return {**user, "action": ActionKind.LIFT_RESTRICTION, "capability": event.capability}
        case StrikeRecorded():
            return {**user, "action": ActionKind.STRIKE, "until": _at(event.expires_at), "appealable": True}
        case StrikeRemoved():
            return {**user, "action": ActionKind.REMOVE_STRIKE}
        case AccountSuspended():
            return {**user, "action": ActionKind.SUSPEND, "until": _at(event.until), "appealable": True}
        case AccountUnsuspended():
            return {**user, "action": ActionKind.UNSUSPEND}
        case ContentModerated():
            return {
                "action": event.action,
                "target_kind": event.target_kind,
                "target_id": event.target_id,
                "labels": event.labels,
                "appealable": ActionKind(event.action) in ADVERSE,
            }
        case AppealFiled() | AppealDecided():
            return {"appeal": _appeal_status(event)}
    return {}


def _appeal_progress(writer: Writer, event: AppealFiled | AppealDecided) -> None:
    """The appealed action's own notice reads how its appeal stands."""
    index = writer.get("mod_notice_index", {"action_id": event.action_id})
    if index is None:
        return
    key = {"user_id": index["user_id"], "position": index["position"]}
    notice = writer.get("mod_notices", key)
    if notice is not None:
        writer.upsert("mod_notices", {**notice, "appeal": _appeal_status(event)})


def _appeal_status(event: AppealFiled | AppealDecided) -> str:
    if isinstance(event, AppealFiled):
        return "pending"
    return "granted" if event.granted else "denied"


def _erased(writer: Writer, user_id: str) -> bool:
    row = writer.get("mod_standing", {"user_id": user_id})
    return row is not None and bool(row["erased"])


def _forget(writer: Writer, user_id: str) -> None:
    for notice in writer.rows("mod_notices", {"user_id": user_id}):
        writer.delete("mod_notices", {"user_id": user_id, "position": notice["position"]})
    writer.upsert("mod_standing", {"user_id": user_id, "erased": True})


# -- labels ----------------------------------------------------------------------------------------


def _labels(
    writer: Writer, event: VideoUploadCompleted | VideoScreened | VideoLabelled | VideoUnlabelled
) -> None:
    key = {"video_id": event.video_id}
    row: Row = {
        **dict.fromkeys(VIDEO_LABELS.names),
        **(writer.get("video_labels", key) or {}),
        **key,
    }
    screened, labelled, unlabelled = (set(row[name] or []) for name in ("screened", "labelled", "unlabelled"))
    match event:
        case VideoUploadCompleted(upload_id=upload_id):
            row["upload_id"], screened = upload_id, set()
        case VideoScreened(upload_id=upload_id) if row["upload_id"] in (None, upload_id):
            screened = set(event.labels)
        case VideoLabelled(labels=labels):
            labelled, unlabelled = labelled | set(labels), unlabelled - set(labels)
        case VideoUnlabelled(labels=labels):
            labelled, unlabelled = labelled - set(labels), unlabelled | set(labels)
    shown = (screened - unlabelled) | labelled
    row.update(
        screened=sorted(screened),
        labelled=sorted(labelled),
        unlabelled=sorted(unlabelled),
        labels=sorted(shown),
    )
    writer.upsert("video_labels", row)


def _at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
)
