"""What moderation left on people and videos, as the ``moderation_standing`` projector keeps it.

- ``mod_standing``: a person's suspension and restrictions, by user: what the access policy and the
  feeds ask (a suspended person's videos are shown to nobody but them and moderators) and what a
  moderator reads of an account. The write side never reads it: it folds ``standing-<user>``. An
  erased person's row says ``erased`` and nothing else: their videos are withheld as a suspended
  person's are, from the moment the erasure is projected until the cascade has deleted them.
- ``mod_notices``: each person's notices, newest first: every action that fell on them or their
  content, its lifting, and their appeals' outcomes, as their client shows them.
- ``mod_notice_index``: where an action's notice is, so its appeal's progress lands on it.
- ``video_labels``: the labels a video carries (screening's on its current upload, and moderators'
  over them), for video cards and feed items.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime

from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import BOOL, DESC, INT, TEXT, TEXT_LIST, TIMESTAMP, Clustering, Row, Table, columns_of

VERSION = 2  # 2: an erasure leaves ``erased``, so the person's videos are withheld at once
MODEL = ReadModel("moderation_standing", VERSION)

MOD_STANDING = Table(
    "mod_standing",
    columns=columns_of(
        user_id=TEXT,
        suspended=BOOL,
        suspended_until=TIMESTAMP,  # None with ``suspended``: until lifted
        suspension_id=TEXT,
        restrictions=TEXT_LIST,  # "capability until-iso action-id", one per capability
        strikes=TEXT_LIST,  # "action-id expires-iso", recorded and not removed
        erased=BOOL,
    ),
    partition_key=("user_id",),
)
MOD_NOTICES = Table(
    "mod_notices",
    columns=columns_of(
        user_id=TEXT,
        position=INT,
        at=TIMESTAMP,
        kind=TEXT,  # the event's type
        action_id=TEXT,
        action=TEXT,
        target_kind=TEXT,
        target_id=TEXT,
        reason=TEXT,
        capability=TEXT,
        until=TIMESTAMP,
        labels=TEXT_LIST,
        appealable=BOOL,
        appeal=TEXT,  # pending, granted, denied; None before an appeal
    ),
    partition_key=("user_id",),
    clustering=(Clustering("position", DESC),),
)
MOD_NOTICE_INDEX = Table(
    "mod_notice_index",
    columns=columns_of(action_id=TEXT, user_id=TEXT, position=INT),
    partition_key=("action_id",),
)
VIDEO_LABELS = Table(
    "video_labels",
    columns=columns_of(
        video_id=TEXT,
        upload_id=TEXT,  # the current upload: screening's labels count for it only
        screened=TEXT_LIST,
        labelled=TEXT_LIST,
        unlabelled=TEXT_LIST,
        labels=TEXT_LIST,  # what the video carries now
    ),
    partition_key=("video_id",),
)
TABLES = (MOD_STANDING, MOD_NOTICES, MOD_NOTICE_INDEX, VIDEO_LABELS)


@dataclasses.dataclass(frozen=True, slots=True)
class Restriction:
    capability: str
    until: datetime
    action_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class Standing:
    user_id: str
    suspended: bool
    suspended_until: datetime | None
    restrictions: list[Restriction]
    strikes: list[tuple[str, datetime]]  # (action id, when it stops counting)
    erased: bool = False

    def suspended_at(self, now: datetime) -> bool:
        return self.suspended and (self.suspended_until is None or self.suspended_until > now)

    def withheld_at(self, now: datetime) -> bool:
        """Whether what the person made is withheld: they are suspended, or erased (their videos
        still wait for the cascade to delete them)."""
        return self.erased or self.suspended_at(now)

    def restrictions_at(self, now: datetime) -> list[Restriction]:
        return [r for r in self.restrictions if r.until > now]

    def strikes_at(self, now: datetime) -> int:
        return sum(1 for _, expires in self.strikes if expires > now)


@dataclasses.dataclass(frozen=True, slots=True)
class Notice:
    position: int
    at: datetime
    kind: str
    action_id: str | None
    action: str | None
    target_kind: str | None
    target_id: str | None
    reason: str | None
    capability: str | None
    until: datetime | None
    labels: list[str]
    appealable: bool
    appeal: str | None


def standing(store: ReadStore, user_id: str) -> Standing | None:
    row = store.get(MODEL.table(store, MOD_STANDING), {"user_id": user_id})
    return None if row is None else standing_of(row)


def suspended(store: ReadStore, user_id: str, now: datetime) -> bool:
    """Whether the person is suspended at ``now``: one key lookup."""
    found = standing(store, user_id)
    return found is not None and found.suspended_at(now)


def notices(
    store: ReadStore, user_id: str, limit: int, cursor: str | None = None
) -> tuple[list[Notice], str | None]:
    """The person's notices, newest first, and the cursor of the next page."""
    page = store.page(MODEL.table(store, MOD_NOTICES), {"user_id": user_id}, limit=limit, cursor=cursor)
    return [_notice(row) for row in page.rows], page.cursor


def labels_of(store: ReadStore, video_id: str) -> list[str]:
    row = store.get(MODEL.table(store, VIDEO_LABELS), {"video_id": video_id})
    return sorted(row["labels"] or []) if row is not None else []


def labels_for(store: ReadStore, video_ids: Iterable[str]) -> dict[str, list[str]]:
    """Each video's labels (none for a video never labelled), in one round of reads."""
    wanted = list(dict.fromkeys(video_ids))
    rows = store.get_many(MODEL.table(store, VIDEO_LABELS), [{"video_id": v} for v in wanted])
    return {v: sorted(row["labels"] or []) if row else [] for v, row in zip(wanted, rows, strict=True)}


def withheld(store: ReadStore, user_id: str, now: datetime) -> bool:
    """Whether what the person made is withheld at ``now`` (``Standing.withheld_at``): one lookup."""
    found = standing(store, user_id)
    return found is not None and found.withheld_at(now)


def withheld_among(store: ReadStore, user_ids: Iterable[str], now: datetime) -> set[str]:
    """Which of these people's content is withheld at ``now``, in one round of reads."""
    wanted = list(dict.fromkeys(user_ids))
    rows = store.get_many(MODEL.table(store, MOD_STANDING), [{"user_id": u} for u in wanted])
    return {u for u, row in zip(wanted, rows, strict=True) if row and standing_of(row).withheld_at(now)}


def standing_of(row: Row) -> Standing:
    return Standing(
        user_id=row["user_id"],
        suspended=bool(row["suspended"]),
        suspended_until=row["suspended_until"],
        restrictions=[_restriction(text) for text in row["restrictions"] or []],
        strikes=[_strike(text) for text in row["strikes"] or []],
        erased=bool(row.get("erased")),
    )


def restriction_text(capability: str, until: datetime, action_id: str) -> str:
    return f"{capability} {until.isoformat()} {action_id}"


def strike_text(action_id: str, expires_at: datetime) -> str:
    return f"{action_id} {expires_at.isoformat()}"


def _restriction(text: str) -> Restriction:
    capability, until, action_id = text.split(" ", 2)
    return Restriction(capability, datetime.fromisoformat(until), action_id)


def _strike(text: str) -> tuple[str, datetime]:
    action_id, expires = text.split(" ", 1)
    return action_id, datetime.fromisoformat(expires)


def _notice(row: Row) -> Notice:
    return Notice(
        position=row["position"],
        at=row["at"],
        kind=row["kind"],
        action_id=row["action_id"],
        action=row["action"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        reason=row["reason"],
        capability=row["capability"],
        until=row["until"],
        labels=list(row["labels"] or []),
        appealable=bool(row["appealable"]),
        appeal=row["appeal"],
    )
