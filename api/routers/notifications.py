"""The signed-in person's notifications inbox.

``GET /v1/me/notifications`` lists grouped items ("mira and 12 others liked your video"), latest
activity first; ``GET /v1/me/notifications/unread-count`` is what a badge polls; ``POST
/v1/me/notifications/read`` marks everything so far read. The mark is an event on the person's own
stream, so a rebuilt inbox shows the same items read, and the answer carries its position for
read-your-writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import AppStateDep, CommandRequest, CurrentActor
from api.problems import problems
from api.reading import Cursor, Limit, MinPosition, ReadStoreDep, caught_up, query
from api.responses import JSONBytes
from api.routers.moderation_common import POSITION
from commands.notifications import change_notification_settings, mark_notifications_read
from domain.notifications import MUTABLE_KINDS, ChangeNotificationSettings, MarkNotificationsRead
from read_models import notifications as model
from read_models import profiles

router = APIRouter(prefix="/v1/me/notifications", tags=["notifications"])


class ActorPublic(BaseModel):
    user_id: str
    handle: str


class NotificationPublic(BaseModel):
    kind: str = Field(
        description="like, comment (on your video), reply (to your comment), follow or moderation"
    )
    target_id: str = Field(
        description="The video (like, comment), the comment answered (reply), you (follow), "
        "or the moderation action (see /v1/me/notices)"
    )
    video_id: str | None = Field(description="For a reply: the video the comment is on")
    decision: str | None = Field(description="For moderation: the decision's event type")
    count: int = Field(description="How many people (moderation: 1)")
    actors: list[ActorPublic] = Field(description="The latest few of them, newest first")
    last_at: datetime
    unread: bool = Field(description="Whether there was activity since you last marked the inbox read")


class NotificationsPage(BaseModel):
    items: list[NotificationPublic]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class UnreadCount(BaseModel):
    unread: int = Field(description=f"Items with activity since the read mark, at most {model.UNREAD_CAP}")


class MarkedRead(BaseModel):
    position: int = Field(description=POSITION)


#: ``domain.notifications.MUTABLE_KINDS``, spelled out for the schema.
MutableKind = Literal["like", "comment", "reply", "follow"]


class SettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    muted: Annotated[
        list[MutableKind],
        Field(max_length=len(MUTABLE_KINDS), description="Kinds not to be told of from now on"),
    ]


class SettingsPublic(BaseModel):
    muted: list[str] = Field(description="Kinds not told of; moderators' decisions always are")


class SettingsChanged(SettingsPublic):
    position: int = Field(description=POSITION)


@router.get(
    "",
    response_model=NotificationsPage,
    summary="Your notifications, grouped, latest activity first",
    responses=problems(s400="The cursor is not one this list handed out", s401="No valid bearer token"),
)
async def my_notifications(
    actor: CurrentActor,
    store: ReadStoreDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> NotificationsPage:
    await caught_up(store, model.MODEL, min_position)
    found = await query(model.MODEL, lambda: model.inbox(store, actor.user_id, limit, cursor))
    ids = [a for item in found.items for a in item.actors]
    handles = await query(profiles.MODEL, lambda: profiles.handles_of(store, ids))
    return NotificationsPage(items=[_public(n, handles) for n in found.items], next_cursor=found.next_cursor)


@router.get(
    "/unread-count",
    response_model=UnreadCount,
    summary="How many notifications are unread (for a badge)",
    responses=problems(s401="No valid bearer token"),
)
async def my_unread_count(
    actor: CurrentActor, store: ReadStoreDep, min_position: MinPosition = None
) -> UnreadCount:
    await caught_up(store, model.MODEL, min_position)
    return UnreadCount(unread=await query(model.MODEL, lambda: model.unread_count(store, actor.user_id)))


@router.post(
    "/read",
    response_model=MarkedRead,
    summary="Mark every notification so far read",
    responses=problems(s401="No valid bearer token"),
)
def mark_read(state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    cmd = MarkNotificationsRead(actor=request.actor)

    def act() -> MarkedRead:
        return MarkedRead(position=mark_notifications_read(cmd, ports=state.ports, request=request).position)

    return run(state, http, request, None, act)


@router.get(
    "/settings",
    response_model=SettingsPublic,
    summary="Which kinds of notification you muted",
    responses=problems(s401="No valid bearer token"),
)
async def my_settings(
    actor: CurrentActor, store: ReadStoreDep, min_position: MinPosition = None
) -> SettingsPublic:
    await caught_up(store, model.MODEL, min_position)
    return SettingsPublic(muted=await query(model.MODEL, lambda: model.muted_kinds(store, actor.user_id)))


@router.put(
    "/settings",
    response_model=SettingsChanged,
    summary="Mute kinds of notification (the whole set), or unmute them",
    responses=problems(s401="No valid bearer token", s422="A kind that cannot be muted"),
)
def change_settings(
    body: SettingsUpdate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Muted kinds are not recorded from now on; what the inbox already holds stays."""
    cmd = ChangeNotificationSettings(actor=request.actor, muted=list(body.muted))

    def act() -> SettingsChanged:
        outcome = change_notification_settings(cmd, ports=state.ports, request=request)
        return SettingsChanged(muted=[k for k in MUTABLE_KINDS if k in body.muted], position=outcome.position)

    return run(state, http, request, body, act)


def _public(item: model.Notification, handles: dict[str, str]) -> NotificationPublic:
    """Actors without a handle (erased since) are left out; the count stays an anonymous total."""
    reply = item.kind == model.Kind.REPLY
    return NotificationPublic(
        kind=item.kind,
        target_id=item.target_id,
        video_id=item.detail if reply else None,
        decision=item.detail if item.kind == model.Kind.MODERATION else None,
        count=item.count,
        actors=[ActorPublic(user_id=a, handle=handles[a]) for a in item.actors if a in handles],
        last_at=item.last_at,
        unread=item.unread,
    )
