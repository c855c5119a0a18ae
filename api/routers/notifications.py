"""The signed-in person's notifications inbox.

``GET /v1/me/notifications`` lists grouped items ("mira and 12 others liked your video"), latest
activity first; ``GET /v1/me/notifications/unread-count`` is what a badge polls; ``POST
/v1/me/notifications/read`` marks everything so far read. The mark is an event on the person's own
stream, so a rebuilt inbox shows the same items read, and the answer carries its position for
read-your-writes.

``GET /v1/me/notifications/stream`` pushes the unread count as it changes, as server-sent events
(``api.notification_stream``), so a badge need not poll. A browser's ``EventSource`` sends no
``Authorization`` header and an access token never goes in a URL, so the stream is opened with a
ticket (``POST /v1/me/notifications/stream-ticket``: seconds-lived, single-use, good for nothing
else, ``api.stream_tickets``), and judged against the ticket's session from then on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi import Request as HttpRequest
from fastapi.security import APIKeyQuery
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import AppStateDep, CommandRequest, CurrentActor, CurrentSession, signed_in
from api.notification_stream import EventStream, StreamRefused
from api.problems import Problem, problems
from api.reading import Cursor, Limit, MinPosition, ReadStoreDep, caught_up, query, read_store
from api.responses import JSONBytes
from api.routers.moderation_common import POSITION
from api.state import AppState
from api.tokens import unauthenticated
from commands.notifications import change_notification_settings, mark_notifications_read
from domain.errors import InvalidCredentials
from domain.notifications import MUTABLE_KINDS, ChangeNotificationSettings, MarkNotificationsRead
from read_models import notifications as model
from read_models import profiles
from services.sessions import SignedIn

router = APIRouter(prefix="/v1/me/notifications", tags=["notifications"])


class ActorPublic(BaseModel):
    user_id: str
    handle: str


class NotificationPublic(BaseModel):
    kind: str = Field(
        description="like, comment (on your video), reply (to your comment), mention (of you, in a "
        "comment or caption on a public video), follow or moderation"
    )
    target_id: str = Field(
        description="The video (like, comment, mention), the comment answered (reply), you "
        "(follow), or the moderation action (see /v1/me/notices)"
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
MutableKind = Literal["like", "comment", "reply", "follow", "mention"]


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


class StreamTicket(BaseModel):
    ticket: str = Field(
        description="Opens GET /v1/me/notifications/stream?ticket=… once, within expires_in seconds"
    )
    expires_in: int = Field(description="Seconds the ticket stays good")


@router.post(
    "/stream-ticket",
    response_model=StreamTicket,
    summary="A ticket that opens your notification stream: once, within seconds",
    responses=problems(s401="No valid bearer token", s429="Too many requests; see Retry-After"),
)
async def stream_ticket(state: AppStateDep, session: CurrentSession) -> StreamTicket:
    """For clients that cannot send a bearer token with the stream's request (a browser's
    ``EventSource``): the ticket names you and this session, and nothing else accepts it."""
    state.limiter.check(session.actor.user_id)
    tickets = state.stream_tickets
    return StreamTicket(
        ticket=tickets.issue(session.actor.user_id, session.session_id), expires_in=tickets.ttl_s
    )


_ticket = APIKeyQuery(
    name="ticket",
    scheme_name="streamTicket",
    description="From POST /v1/me/notifications/stream-ticket: good once, for seconds",
    auto_error=False,
)
TicketQuery = Annotated[str | None, Depends(_ticket)]
#: A ticket is a short JWT; anything much longer is no ticket.
TICKET_MAX = 2048
SSE_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["unread", "end"]},
        "data": {"type": "string", "description": 'unread: {"unread": n}; end: {"reason": "session ended"}'},
        "id": {"type": "string", "description": "The log position the count holds up to"},
        "retry": {"type": "integer", "minimum": 0},
    },
}


@router.get(
    "/stream",
    response_class=EventStream,
    status_code=200,
    summary="Your unread count, pushed as it changes (server-sent events)",
    dependencies=[Depends(read_store)],
    responses={
        200: {
            "description": "An event stream: `retry`, then an `unread` event with your count (its "
            "`id` a log position), again each time your inbox changes, a comment line every 15 s, "
            "and `end` when the server ends it for good (your session ended). It ends by itself "
            "after a while: open a new one with a new ticket. The first event always carries the "
            "current count, so Last-Event-ID is not needed.",
            "content": {"text/event-stream": {"itemSchema": SSE_EVENT}},
        },
        **problems(
            s401="No ticket, or one forged, expired, used, or someone else's; or its session ended",
            s429="You have as many streams open as a person may; poll unread-count meanwhile",
            s503="This server holds as many streams as it may; poll unread-count meanwhile",
        ),
    },
)
async def notification_stream(ticket: TicketQuery, state: AppStateDep, http: HttpRequest) -> EventStream:
    """Opened with a ticket: a browser's EventSource sends no Authorization header. A client that
    sends a bearer token too must be the ticket's person."""
    who = _ticket_holder(state, ticket, http.headers.get("authorization"))
    hub = state.notification_streams
    first = await hub.count_now(who.actor.user_id)
    try:
        sub = hub.subscribe(who.actor.user_id, who.session_id)
    except StreamRefused as refused:
        raise Problem(refused.status, str(refused), headers={"Retry-After": "30"}) from None
    sub.push(*first)
    return EventStream(hub, sub)


def _ticket_holder(state: AppState, ticket: str | None, authorization: str | None) -> SignedIn:
    if not ticket or len(ticket) > TICKET_MAX:
        raise unauthenticated("open the stream with ?ticket= from POST /v1/me/notifications/stream-ticket")
    scheme, _, token = (authorization or "").partition(" ")
    bearer = signed_in(state, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    held = state.stream_tickets.redeem(ticket)
    if bearer is not None and bearer.actor.user_id != held.user_id:
        raise unauthenticated("the stream ticket is someone else's")
    try:
        return state.gate.admit(held.user_id, held.session_id)
    except InvalidCredentials as exc:
        raise unauthenticated(str(exc)) from exc


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
