"""A video's details as the ``video_details`` and ``video_counters`` projectors keep them.

Who sees what is the access policy's answer (``services.access``): what a viewer may not see reads
as absence (404), so nobody learns that a private, hidden or deleted video exists, nor that its owner
blocked them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from api.deps import AppStateDep, IdPath, optional_actor
from api.problems import Problem, problems
from api.reading import MinPosition, PolicyDep, ReadStoreDep, caught_up, query, tagged
from api.routers import media as delivery
from api.routers.media import Playback
from api.routers.moderation_common import LABELS
from api.routers.video_stats import VideoStats
from domain.access import Visibility
from domain.actors import Actor
from read_models import profiles, video_counters
from read_models import video_details as model
from read_models.port import ReadStore
from services.moderation import Moderation

router = APIRouter(prefix="/v1/videos", tags=["videos"])
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
T = TypeVar("T")


class VideoMedia(BaseModel):
    """What the upload and the media pipeline said; ``None`` until they said it."""

    duration_ms: int | None
    width: int | None
    height: int | None
    renditions: list[str]
    poster: str | None = Field(description="Path in media storage")
    master_playlist: str | None = Field(description="Path in media storage")


class ProcessingStatus(BaseModel):
    """What an upload screen shows while the owner waits: uploaded, transcoding, ready or failed."""

    status: model.Processing
    progress: float | None = Field(ge=0.0, le=1.0, description="Share of the transcode done, when known")
    error: str | None = Field(description="Why the upload was rejected or processing failed")


class CaptionTrackOut(BaseModel):
    """A caption track (subtitles) as Strom stores it: WebVTT with text, italics and bold only."""

    lang: str = Field(description="BCP 47 language tag")
    url: str | None = Field(
        description="The WebVTT file (text/vtt); signed, as the playback URLs, unless public"
    )
    cues: int


class ScheduleOut(BaseModel):
    """A publication the owner set for later; shown to the owner alone."""

    publish_at: datetime = Field(description="When the video is to be published (UTC)")
    failed: str | None = Field(description="Why publishing failed when it was due; null while to come")


class VideoDetails(BaseModel):
    video_id: str
    owner_id: str
    caption: str | None = Field(description="None once the owner's personal data was erased")
    caption_erased: bool
    hashtags: list[str]
    visibility: Visibility
    comments_allowed: bool
    state: model.ListingState = Field(description="Only the owner and moderators see other than listed")
    published_at: datetime | None = Field(description="When last published; None for a draft")
    media: VideoMedia
    processing: ProcessingStatus
    playback: Playback = Field(description="URLs for the caller's player; signed unless public")
    stats: VideoStats
    liked_by_me: bool | None = Field(description="Whether the caller likes it; None when anonymous")
    labels: list[str] = Field(default_factory=list, description=LABELS)
    captions: list[CaptionTrackOut] = Field(default_factory=list, description="Caption tracks, by language")
    schedule: ScheduleOut | None = Field(
        default=None, description="The owner's scheduled publication, to the owner alone; else null"
    )


@router.get(
    "/{video_id}",
    response_model=VideoDetails,
    summary="A video's details and engagement totals",
    responses={
        304: {"description": "Unchanged since the ETag given in If-None-Match"},
        **problems(s404="Unknown, deleted, or not visible to the caller", s503="Not caught up yet"),
    },
)
async def video_details(
    video_id: IdPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    state: AppStateDep,
    actor: OptionalActor,
    min_position: MinPosition = None,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    """The card, its totals, whether the caller likes it, and playback URLs. Carries an ``ETag``
    (it differs per caller, hence ``Vary: Authorization``); send it back in ``If-None-Match`` to get
    304. The ETag covers the playback URLs: signed ones are renewed in steps (``link_expiry``), and
    a renewal changes the ETag, so a 304 never keeps a client on links about to expire."""
    await caught_up(store, model.MODEL, min_position)
    await caught_up(store, video_counters.MODEL, min_position)
    card = await query(model.MODEL, lambda: model.video_card(store, video_id))
    if card is None or card.deleted:
        raise Problem(404, "video not found")
    if _hinges_on_following(card, actor):
        await caught_up(store, profiles.MODEL, min_position)
    if not await query(model.MODEL, lambda: policy.may_view(card, actor)):
        raise Problem(404, "video not found")
    public = await query(model.MODEL, lambda: policy.public(card))
    now = delivery.wall_clock()
    playback = delivery.playback(card, actor, state.media, now, public=public)

    def url(key: str) -> str | None:
        return delivery.media_url(card, key, actor, state.media, now, public=public)

    details = await query(model.MODEL, lambda: _details(store, card, actor, playback, url))
    body = details.model_dump_json().encode()
    return tagged(body, if_none_match, vary="Authorization")


def _hinges_on_following(card: model.VideoCard, actor: Actor | None) -> bool:
    """Whether the answer depends on the ``profiles`` read model (its follow edges)."""
    return card.visibility == Visibility.FOLLOWERS and actor is not None and actor.user_id != card.owner_id


def _details(
    store: ReadStore,
    card: model.VideoCard,
    actor: Actor | None,
    playback: Playback,
    url: Callable[[str], str | None],
) -> VideoDetails:
    counts = video_counters.video_counts(store, card.video_id)
    tracks = model.caption_tracks(store, card.video_id)
    own = actor is not None and actor.user_id == card.owner_id
    schedule = model.schedule_of(store, card.video_id) if own else None
    return VideoDetails(
        video_id=card.video_id,
        owner_id=card.owner_id,
        caption=card.caption,
        caption_erased=card.caption_erased,
        hashtags=card.hashtags,
        visibility=Visibility(card.visibility),
        comments_allowed=card.comments_allowed,
        state=card.state,
        published_at=card.published_at,
        media=VideoMedia(
            duration_ms=card.duration_ms,
            width=card.width,
            height=card.height,
            renditions=card.renditions,
            poster=card.poster,
            master_playlist=card.master_playlist,
        ),
        processing=ProcessingStatus(
            status=card.processing,
            progress=None if card.progress_percent is None else card.progress_percent / 100,
            error=card.processing_error,
        ),
        playback=playback,
        stats=VideoStats.of(card.video_id, counts),
        liked_by_me=None if actor is None else model.liked(store, actor.user_id, card.video_id),
        labels=Moderation(store).labels([card.video_id])[card.video_id],
        captions=[CaptionTrackOut(lang=t.lang, url=url(t.media_key), cues=t.cues) for t in tracks],
        schedule=None
        if schedule is None
        else ScheduleOut(publish_at=schedule.publish_at, failed=schedule.failed),
    )
