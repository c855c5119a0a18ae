"""Deciders for automatic screening on a video's stream, and the rule it sets for publishing.

Screening (``SCREENER``) records a verdict on the video's current upload: allowed, labelled (it
publishes with labels), held (it waits for a moderator to release it, or to hide it) or blocked
(it never publishes). The owner may publish only once the current upload has a verdict that lets
it: ``ensure_publishable``.

A screening job runs at least once, and a replay under a changed policy runs it again: the same
verdict on the same findings under the same policy records nothing; a new policy version, or new
findings, record a new verdict. A video already published that a new verdict blocks is hidden, by
screening, in the same append: "blocked" is never shown, however late it is found. Hold does not
take a published video down; the report screening files puts it before the moderators.
"""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.screening import SCREENER, Verdict, judge
from domain.videos.commands import RecordScreening, ReleaseVideo
from domain.videos.events import Event, VideoHidden, VideoReleased, VideoScreened
from domain.videos.rules import MAX_REASON, require_id, valid_reason
from domain.videos.state import Screening, State, ensure_open

MAX_POLICY_VERSION = 100
#: The reason a video hidden by screening gives: moderators see it beside their own.
BLOCKED_REASON = "blocked by automatic screening"


def decide_record_screening(state: State, cmd: RecordScreening) -> list[Event]:
    ensure_open(state, cmd.video_id)
    if cmd.actor != SCREENER:
        raise NotAllowed("only automatic screening records a screening verdict")
    upload_id = require_id(cmd.upload_id, "upload_id")
    if upload_id != state.upload_id:
        raise Conflict("the screening is about an upload that is not the video's current one")
    judgement = judge(cmd.policy, cmd.findings)
    screened = VideoScreened(
        video_id=state.video_id,
        owner_id=state.owner_id,
        upload_id=upload_id,
        policy_version=_policy_version(cmd.policy_version),
        verdict=judgement.verdict.value,
        labels=list(judgement.labels),
        hash_matches=list(cmd.findings.hash_matches),
        nsfw_score=None if cmd.findings.nsfw_score is None else float(cmd.findings.nsfw_score),
        failed=None if cmd.findings.failed is None else _failure(cmd.findings.failed),
    )
    if _same(state.screening, screened):
        return []
    events: list[Event] = [screened]
    if judgement.verdict is Verdict.BLOCKED and state.published and not state.hidden:
        events.append(
            VideoHidden(
                video_id=state.video_id,
                owner_id=state.owner_id,
                moderator_id=SCREENER.user_id,
                reason=BLOCKED_REASON,
            )
        )
    return events


def decide_release_video(state: State, cmd: ReleaseVideo) -> list[Event]:
    """A moderator releases the current upload from hold; a blocked one stays blocked. Anyone else
    is refused before the video is looked at, so they learn nothing of it."""
    _ensure_moderator(cmd.actor)
    ensure_open(state, cmd.video_id)
    screening = current_screening(state)
    if screening is None or screening.verdict != Verdict.HELD:
        if screening is not None and screening.verdict == Verdict.BLOCKED:
            raise Conflict("a video screening blocked cannot be released")
        raise Conflict("the video is not held by screening")
    if screening.released:
        return []
    return [
        VideoReleased(
            video_id=state.video_id,
            owner_id=state.owner_id,
            upload_id=screening.upload_id,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def current_screening(state: State) -> Screening | None:
    """The verdict on the video's current upload; None while it is being screened."""
    screening = state.screening
    return screening if screening is not None and screening.upload_id == state.upload_id else None


def awaits_screening(state: State, upload_id: str, policy_version: str | None = None) -> bool:
    """This upload is the video's current one and has no verdict (under ``policy_version``, if
    given): what the process manager and the job ask, so finished work is not done again."""
    if not state.exists or state.deleted or state.upload_id != upload_id:
        return False
    screening = current_screening(state)
    return screening is None or (policy_version is not None and screening.policy_version != policy_version)


def ensure_publishable(state: State) -> None:
    """The publication rule: the current upload is screened, not blocked, and not held unless a
    moderator released it."""
    screening = current_screening(state)
    if screening is None:
        raise Conflict("the video is still being screened; publish it once screening is done")
    if screening.verdict == Verdict.BLOCKED:
        raise NotAllowed("the video cannot be published: automatic screening blocked it")
    if screening.verdict == Verdict.HELD and not screening.released:
        raise Conflict("the video is held for review by a moderator; it can be published once released")


def _same(before: Screening | None, event: VideoScreened) -> bool:
    return before is not None and (
        before.upload_id,
        before.policy_version,
        before.verdict,
        before.labels,
        before.hash_matches,
        before.nsfw_score,
        before.failed,
    ) == (
        event.upload_id,
        event.policy_version,
        event.verdict,
        tuple(event.labels),
        tuple(event.hash_matches),
        event.nsfw_score,
        event.failed,
    )


def _policy_version(version: str) -> str:
    if not isinstance(version, str) or not 0 < len(version.strip()) <= MAX_POLICY_VERSION:
        raise InvalidCommand(f"policy_version must be 1 to {MAX_POLICY_VERSION} characters")
    return version.strip()


def _failure(text: str) -> str:
    text = " ".join(str(text).split()) or "screening failed"
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _ensure_moderator(actor: Actor) -> None:
    if not actor.moderates or actor == SCREENER:
        raise NotAllowed("only a moderator can release a video held by screening")
